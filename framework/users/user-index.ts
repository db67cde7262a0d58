import { ErrorCodes, GameError } from '../errors';
import type { Session } from '../server/session';
import type { UserDirectory, UserId } from './user-directory';

/**
 * What happens when a user logs in while already logged in on another session: 'takeover' kicks the
 * older session, 'refuse' fails the new login with ALREADY_LOGGED_IN; a function decides per case
 * (and may throw a GameError of its own).
 */
export type SecondLoginPolicy<User = unknown> =
  | 'takeover'
  | 'refuse'
  // Any session state: the policy sees the holder's user only.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  | ((holder: Session<User, any>, user: User) => 'takeover' | 'refuse');

export interface UserIndexOptions<User = unknown> {
  /** The user's id (unique per user, stable across logins). */
  idOf(user: User): UserId;
  /** 'takeover' (default): the older session is kicked; 'refuse': the new login fails ALREADY_LOGGED_IN. */
  secondLogin?: SecondLoginPolicy<User>;
  /** Where the index lives; default a LocalUserDirectory (in-process). */
  directory?: UserDirectory;
}

/** The Kick text an older session gets when the same user logs in elsewhere. */
export const TAKEN_OVER = 'logged in from another connection';

/**
 * Applies the second-login policy on `session.authenticate(user)` and keeps the directory right on
 * logout and close. Inside a handler turn, a take-over kicks the older session only when the turn
 * succeeds; a turn answered with an Error puts the directory back as it was.
 */
export class UserIndex {
  constructor(
    private readonly idOf: (user: unknown) => UserId,
    readonly directory: UserDirectory,
    private readonly policy: SecondLoginPolicy = 'takeover',
  ) {}

  login(session: Session<unknown, object>, user: unknown): void {
    const id = this.idOf(user);
    const holder = this.directory.find(id);
    if (holder === session) return;
    if (holder !== undefined && !holder.closing) {
      const decision = typeof this.policy === 'function' ? this.policy(holder, user) : this.policy;
      if (decision === 'refuse')
        throw new GameError(ErrorCodes.ALREADY_LOGGED_IN, `user ${id} is logged in on another connection`);
    }
    this.directory.set(id, session);
    session.onUndo(() => {
      if (this.directory.find(id) !== session) return;
      if (holder !== undefined && !holder.closed) this.directory.set(id, holder);
      else this.directory.delete(id, session);
    });
    // The older session keeps its user until it is gone, so its rooms can still say who left.
    if (holder !== undefined) session.onCommit(() => holder.kick(TAKEN_OVER));
  }

  /** The session no longer stands for `user` (logout or close). */
  logout(session: Session<unknown, object>, user: unknown): void {
    this.directory.delete(this.idOf(user), session);
  }
}

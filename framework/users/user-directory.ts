import type { Session } from '../server/session';

/** How an application names a user: the value its `users.idOf(user)` returns. */
export type UserId = string | number;

// Any user type: the directory holds sessions of the application's user type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySession = Session<any, any>;

/**
 * User id -> the session logged in as that user. The framework keeps it (login, second-login policy,
 * close); applications read it (`server.users.find(id)`). `LocalUserDirectory` is the in-process default;
 * a cluster implementation records the owner process too, and `set` tells the previous owner elsewhere.
 */
export interface UserDirectory {
  /** The session logged in as `userId`, if any. */
  find(userId: UserId): AnySession | undefined;
  /** Records `session` as the user's session (replacing any other). */
  set(userId: UserId, session: AnySession): void;
  /** Forgets the user, only if `session` is still the one recorded (a late close never evicts a newer login). */
  delete(userId: UserId, session: AnySession): void;
  /** Users logged in. */
  readonly size: number;
}

/** The in-process UserDirectory: one Map. */
export class LocalUserDirectory implements UserDirectory {
  private readonly sessions = new Map<UserId, AnySession>();

  find(userId: UserId): AnySession | undefined {
    return this.sessions.get(userId);
  }

  set(userId: UserId, session: AnySession): void {
    this.sessions.set(userId, session);
  }

  delete(userId: UserId, session: AnySession): void {
    if (this.sessions.get(userId) === session) this.sessions.delete(userId);
  }

  get size(): number {
    return this.sessions.size;
  }
}

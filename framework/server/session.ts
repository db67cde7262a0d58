import type { Logger } from 'pino';
import { encodeForSend, type MessageType } from '../protocol/message-type';
import { Kick } from '../protocol/framework-messages';
import type { CloseReason } from '../transport/close-reason';
import type { SessionId, Transport } from '../transport/transport';
import type { UserIndex } from '../users/user-index';
import type { AppState, AppUser } from './session-types';

/** Something a session belongs to and must leave when it closes (a room membership). */
export interface SessionGroup {
  leave(session: Session<unknown, object>): void;
}

export type CloseListener = (reason: CloseReason) => void;

// Session.flags bits.
const AUTHENTICATED = 1;
const CLOSING = 2;
const UNWRITABLE = 4;
const AWAY = 8;
const IN_TURN = 16;

/** What a session needs only once it logs, keeps state, joins a room, listens for its close or closes. */
class SessionExtras<State> {
  closeReason: CloseReason | undefined = undefined;
  closeListeners: Set<CloseListener> | undefined = undefined;
  stateBag: State | undefined = undefined;
  groupSet: Set<SessionGroup> | undefined = undefined;
  sessionLogger: Logger | undefined = undefined;
  // The current handler turn's undo / commit actions (undefined outside a turn or while none was added).
  undoList: (() => void)[] | undefined = undefined;
  commitList: (() => void)[] | undefined = undefined;
}

/** What every session of one server shares (one object per server, not per session). */
export interface SessionContext {
  /** Where its frames go (a guest session in a room of another node's session sends through a router). */
  readonly transport: Pick<Transport, 'send' | 'close'>;
  readonly logger: Logger;
  /** The user index when the server has `users` options. */
  readonly users: UserIndex | undefined;
  /** A fresh state object for a session (`sessionState` option; default {}). */
  newState(): object;
}

/**
 * One client connection as handlers see it. `User` is the data set by `authenticate` at login, `State`
 * the type of `session.state`; both default to what the application declared in `SessionTypes`.
 * All methods are safe after close (sends are dropped).
 */
export class Session<User = AppUser, State extends object = AppState> {
  private currentUser: User | undefined = undefined;
  // An idle session is these six fields (72 B): booleans are bits of `flags`, the rest is made on first use.
  private flags = 0;
  private more: SessionExtras<State> | undefined = undefined;

  constructor(
    readonly id: SessionId,
    readonly remoteAddress: string,
    private readonly context: SessionContext,
  ) {}

  private get extras(): SessionExtras<State> {
    return (this.more ??= new SessionExtras<State>());
  }

  /** Per-session data for handlers, typed by `State`; made on first use from the `sessionState` option. */
  get state(): State {
    const extras = this.extras;
    return (extras.stateBag ??= this.context.newState() as State);
  }

  /** The groups without making the set (undefined while the session never joined one). */
  get groupsIfAny(): ReadonlySet<SessionGroup> | undefined {
    return this.more?.groupSet;
  }

  /** Groups (room memberships) this session is in; left automatically on close. */
  get groups(): Set<SessionGroup> {
    const extras = this.extras;
    return (extras.groupSet ??= new Set());
  }

  /** A child of the server's logger carrying this session's id and remote address. */
  get logger(): Logger {
    const extras = this.extras;
    return (extras.sessionLogger ??= this.context.logger.child({
      session: this.id,
      remote: this.remoteAddress,
    }));
  }

  /** Logs at debug level without making the child logger when debug is off. */
  debug(message: string, fields?: object): void {
    if (this.context.logger.isLevelEnabled('debug')) this.logger.debug(fields ?? {}, message);
  }

  get authenticated(): boolean {
    return (this.flags & AUTHENTICATED) !== 0;
  }

  /** The user set at login; undefined while anonymous. */
  get user(): User | undefined {
    return this.currentUser;
  }

  /** The user set at login; throws for an anonymous session. */
  requireUser(): User {
    if (!this.authenticated) throw new Error(`session ${this.id} is not authenticated`);
    return this.currentUser as User;
  }

  /**
   * Logs the session in: handlers not marked public become reachable. With the server's `users` option,
   * the user index applies the second-login policy (GameError ALREADY_LOGGED_IN under 'refuse'). Inside a
   * handler whose request is answered with an Error, the login is undone.
   */
  authenticate(user: User): void {
    const wasAuthenticated = this.authenticated;
    const previousUser = this.currentUser;
    if (wasAuthenticated && this.context.users !== undefined && previousUser !== user)
      this.context.users.logout(this as Session<unknown, object>, previousUser);
    this.context.users?.login(this as Session<unknown, object>, user);
    this.currentUser = user;
    this.flags |= AUTHENTICATED;
    this.onUndo(() => {
      this.currentUser = previousUser;
      if (!wasAuthenticated) this.flags &= ~AUTHENTICATED;
    });
    this.debug('session authenticated');
  }

  /** Back to anonymous; the user index forgets this session. */
  logout(): void {
    if (this.authenticated) this.context.users?.logout(this as Session<unknown, object>, this.currentUser);
    this.currentUser = undefined;
    this.flags &= ~AUTHENTICATED;
  }

  /**
   * Inside a handler turn: `undo` runs if the turn ends with an Error answer (a thrown error), newest
   * first. Outside a turn it is dropped (nothing to roll back to).
   */
  onUndo(undo: () => void): void {
    if ((this.flags & IN_TURN) === 0) return;
    const extras = this.extras;
    (extras.undoList ??= []).push(undo);
  }

  /** Inside a handler turn: `action` runs when the turn succeeds. Outside a turn: at once. */
  onCommit(action: () => void): void {
    if ((this.flags & IN_TURN) === 0) {
      action();
      return;
    }
    const extras = this.extras;
    (extras.commitList ??= []).push(action);
  }

  /** Internal (frame pipeline): a handler turn starts. */
  beginTurn(): void {
    this.flags |= IN_TURN;
  }

  /** Internal (frame pipeline): the turn ended; `ok` false runs the undo actions, true the commit actions. */
  endTurn(ok: boolean): void {
    this.flags &= ~IN_TURN;
    const extras = this.more;
    if (extras === undefined) return;
    const undos = extras.undoList;
    const commits = extras.commitList;
    extras.undoList = undefined;
    extras.commitList = undefined;
    const actions = ok ? commits : undos?.reverse();
    if (actions === undefined) return;
    for (const action of actions) {
      try {
        action();
      } catch (error) {
        this.logger.error({ err: error }, ok ? 'commit action failed' : 'undo action failed');
      }
    }
  }

  /** False while pending send bytes are above the transport's soft limit: drop low-priority pushes. */
  get writable(): boolean {
    return (this.flags & UNWRITABLE) === 0;
  }

  /** Internal: the transport reported a change of writability. */
  setWritable(writable: boolean): void {
    if (writable) this.flags &= ~UNWRITABLE;
    else this.flags |= UNWRITABLE;
  }

  /**
   * True while a resumable session's connection is lost and the server keeps it for the resume window:
   * it stays in its rooms and its pushes are kept for replay (docs/resume.md).
   */
  get away(): boolean {
    return (this.flags & AWAY) !== 0;
  }

  /** Internal: the session keeper reports a drop or a resume. */
  setAway(away: boolean): void {
    if (away) this.flags |= AWAY;
    else this.flags &= ~AWAY;
  }

  /** True once close / kick was called or the connection is gone: further frames are not handled. */
  get closing(): boolean {
    return (this.flags & CLOSING) !== 0;
  }

  /** True once the connection is gone (`closedWith` says why). */
  get closed(): boolean {
    return this.more?.closeReason !== undefined;
  }

  /** Why the session closed; undefined while open. */
  get closedWith(): CloseReason | undefined {
    return this.more?.closeReason;
  }

  /** Sends a one-way message (seq 0). */
  push<T>(type: MessageType<T>, data: T): void {
    if (this.closing) return;
    this.context.transport.send(this.id, type.id, 0, encodeForSend(type, data));
  }

  /** Sends queued frames and a Kick carrying the reason, then closes with that reason. */
  close(reason: CloseReason = 'server_close'): void {
    this.closeWith(reason, reason);
  }

  /** Sends a Kick frame with the reason text, then closes with `kicked`. */
  kick(reason: string): void {
    this.closeWith('kicked', reason);
  }

  private closeWith(reason: CloseReason, kickText: string): void {
    if (this.closing) return;
    this.flags |= CLOSING;
    this.context.transport.send(this.id, Kick.id, 0, Kick.encode({ reason: kickText }));
    this.context.transport.close(this.id, reason);
  }

  /**
   * Called once when the connection is gone (any reason); immediately if it already is.
   * Returns a function that unsubscribes.
   */
  onClose(listener: CloseListener): () => void {
    const extras = this.extras;
    if (extras.closeReason !== undefined) {
      listener(extras.closeReason);
      return () => undefined;
    }
    (extras.closeListeners ??= new Set()).add(listener);
    return () => extras.closeListeners?.delete(listener);
  }

  /** Internal: the transport reported the close. */
  markClosed(reason: CloseReason): void {
    const extras = this.extras;
    if (extras.closeReason !== undefined) return;
    extras.closeReason = reason;
    this.flags |= CLOSING;
    const groups = extras.groupSet;
    if (groups) for (const group of [...groups]) group.leave(this as Session<unknown, object>);
    if (this.authenticated) this.context.users?.logout(this as Session<unknown, object>, this.currentUser);
    const listeners = extras.closeListeners;
    extras.closeListeners = undefined;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(reason);
      } catch (error) {
        this.logger.error({ err: error }, 'session onClose listener failed');
      }
    }
  }
}

import type { Logger } from 'pino';
import { encodeForSend, type MessageType } from '../protocol/message-type';
import { Kick } from '../protocol/framework-messages';
import type { CloseReason } from '../transport/close-reason';
import type { SessionId, Transport } from '../transport/transport';

/** Something a session belongs to and must leave when it closes (a Room). */
export interface SessionGroup {
  leave(session: Session<unknown>): void;
}

export type CloseListener = (reason: CloseReason) => void;

/**
 * One client connection as handlers see it. `User` is the typed data set by `authenticate` at login.
 * All methods are safe after close (sends are dropped).
 */
export class Session<User = unknown> {
  private currentUser: User | undefined;
  private isAuthenticated = false;
  private closeReason: CloseReason | undefined;
  private isClosing = false;
  private isWritable = true;
  private isAway = false;
  private readonly closeListeners: CloseListener[] = [];
  // Made on first use: most sessions never log, keep state or join a room (memory per idle session).
  private stateBag: Map<string, unknown> | undefined;
  private groupSet: Set<SessionGroup> | undefined;
  private sessionLogger: Logger | undefined;

  constructor(
    readonly id: SessionId,
    readonly remoteAddress: string,
    private readonly transport: Transport,
    private readonly serverLogger: Logger,
  ) {}

  /** Free per-session state for handlers. */
  get state(): Map<string, unknown> {
    return (this.stateBag ??= new Map());
  }

  /** Groups (rooms) this session is in; left automatically on close. */
  get groups(): Set<SessionGroup> {
    return (this.groupSet ??= new Set());
  }

  /** A child of the server's logger carrying this session's id and remote address. */
  get logger(): Logger {
    return (this.sessionLogger ??= this.serverLogger.child({ session: this.id, remote: this.remoteAddress }));
  }

  /** Logs at debug level without making the child logger when debug is off. */
  debug(message: string, fields?: object): void {
    if (this.serverLogger.isLevelEnabled('debug')) this.logger.debug(fields ?? {}, message);
  }

  get authenticated(): boolean {
    return this.isAuthenticated;
  }

  /** The user set at login; undefined while anonymous. */
  get user(): User | undefined {
    return this.currentUser;
  }

  /** The user set at login; throws for an anonymous session. */
  requireUser(): User {
    if (!this.isAuthenticated) throw new Error(`session ${this.id} is not authenticated`);
    return this.currentUser as User;
  }

  /** Marks the session logged in: handlers not marked public become reachable. */
  authenticate(user: User): void {
    this.currentUser = user;
    this.isAuthenticated = true;
    this.debug('session authenticated');
  }

  /** Back to anonymous. */
  logout(): void {
    this.currentUser = undefined;
    this.isAuthenticated = false;
  }

  /** False while pending send bytes are above the transport's soft limit: drop low-priority pushes. */
  get writable(): boolean {
    return this.isWritable;
  }

  /** Internal: the transport reported a change of writability. */
  setWritable(writable: boolean): void {
    this.isWritable = writable;
  }

  /**
   * True while a resumable session's connection is lost and the server keeps it for the resume window:
   * it stays in its rooms and its pushes are kept for replay (docs/resume.md).
   */
  get away(): boolean {
    return this.isAway;
  }

  /** Internal: the session keeper reports a drop or a resume. */
  setAway(away: boolean): void {
    this.isAway = away;
  }

  /** True once close / kick was called or the connection is gone: further frames are not handled. */
  get closing(): boolean {
    return this.isClosing;
  }

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Why the session closed; undefined while open. */
  get closedWith(): CloseReason | undefined {
    return this.closeReason;
  }

  /** Sends a one-way message (seq 0). */
  push<T>(type: MessageType<T>, data: T): void {
    if (this.isClosing) return;
    this.transport.send(this.id, type.id, 0, encodeForSend(type, data));
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
    if (this.isClosing) return;
    this.isClosing = true;
    this.transport.send(this.id, Kick.id, 0, Kick.encode({ reason: kickText }));
    this.transport.close(this.id, reason);
  }

  /** Called once when the connection is gone (any reason); immediately if it already is. */
  onClose(listener: CloseListener): void {
    if (this.closeReason !== undefined) listener(this.closeReason);
    else this.closeListeners.push(listener);
  }

  /** Internal: the transport reported the close. */
  markClosed(reason: CloseReason): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    this.isClosing = true;
    if (this.groupSet) for (const group of [...this.groupSet]) group.leave(this);
    for (const listener of this.closeListeners.splice(0)) {
      try {
        listener(reason);
      } catch (error) {
        this.logger.error({ err: error }, 'session onClose listener failed');
      }
    }
  }
}

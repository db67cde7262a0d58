/**
 * Wraps a transport's handler so every onOpen / onClose / onWritable the server sees is recorded: the
 * fault cases check "exactly one close, with the expected reason" per session and await events.
 */
import type { CloseReason } from '../../../framework/transport/close-reason';
import type { SessionId, Transport, TransportHandler } from '../../../framework/transport/transport';

/** One session's life as the server saw it (ids may be reused after a close: each life is its own record). */
export interface SessionLife {
  session: SessionId;
  reasons: CloseReason[];
}

export class CloseLog {
  readonly lives: SessionLife[] = [];
  private readonly current = new Map<SessionId, SessionLife>();
  /** Sessions that were ever reported not writable (soft limit passed). */
  readonly notWritable = new Set<SessionId>();
  /** Sessions not writable right now (soft limit passed, not yet drained to half). */
  readonly blockedNow = new Set<SessionId>();
  /** pauseReading / resumeReading calls the server made, per session. */
  readonly pauses = new Map<SessionId, { paused: number; resumed: number }>();
  private waiters: (() => void)[] = [];

  /** Installs the log between `transport` and whatever handler the server sets. */
  static attach(transport: Transport): CloseLog {
    const log = new CloseLog();
    const count = (session: SessionId, key: 'paused' | 'resumed'): void => {
      const entry = log.pauses.get(session) ?? { paused: 0, resumed: 0 };
      entry[key]++;
      log.pauses.set(session, entry);
    };
    const pauseReading = transport.pauseReading.bind(transport);
    const resumeReading = transport.resumeReading.bind(transport);
    transport.pauseReading = (session) => {
      count(session, 'paused');
      pauseReading(session);
    };
    transport.resumeReading = (session) => {
      count(session, 'resumed');
      resumeReading(session);
    };
    const setHandler = transport.setHandler.bind(transport);
    transport.setHandler = (handler: TransportHandler) =>
      setHandler({
        onOpen: (session, remote, listener) => {
          const life: SessionLife = { session, reasons: [] };
          log.lives.push(life);
          log.current.set(session, life);
          handler.onOpen(session, remote, listener);
          log.wake();
        },
        onFrame: (session, msgId, seq, payload) => handler.onFrame(session, msgId, seq, payload),
        onWritable: (session, writable) => {
          if (!writable) log.notWritable.add(session);
          if (writable) log.blockedNow.delete(session);
          else log.blockedNow.add(session);
          handler.onWritable(session, writable);
        },
        onClose: (session, reason, errno) => {
          const life = log.current.get(session);
          if (life) life.reasons.push(reason);
          else log.lives.push({ session, reasons: [reason] }); // a close without an open shows up as a life
          handler.onClose(session, reason, errno);
          log.wake();
        },
        onBatchEnd: () => handler.onBatchEnd?.(),
      });
    return log;
  }

  /** Lives after the first `skip` ones. */
  livesAfter(skip: number): SessionLife[] {
    return this.lives.slice(skip);
  }

  /** Resolves when `check()` holds; rejects naming `what` after `timeoutMs`. */
  until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

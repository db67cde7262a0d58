import type { Logger } from 'pino';
import { GameError } from '../errors';
import type { Actor, ActorContext, ActorTimer } from './actor';
import { Mailbox } from './mailbox';

type Envelope<Msg, Reply> =
  | { kind: 'message'; message: Msg; reply?: Reply_<Reply> }
  | { kind: 'timer'; timer: TimerState }
  | { kind: 'control'; run: () => Promise<void> };

interface Reply_<Reply> {
  resolve(value: Reply): void;
  reject(error: unknown): void;
}

interface TimerState extends ActorTimer {
  readonly callback: () => void | Promise<void>;
  cancelled: boolean;
}

export interface ActorRefOptions {
  mailboxCapacity: number;
  askTimeoutMs: number;
}

/** Thrown to `ask` callers when the actor is stopped, its mailbox is full, or no reply came in time. */
export class ActorError extends GameError<'ACTOR_STOPPED' | 'MAILBOX_FULL' | 'TIMEOUT'> {
  override readonly name = 'ActorError';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** The address of a running actor: the only way to talk to it. */
export class ActorRef<Msg = unknown, Reply = void> {
  private instance: Actor<Msg, Reply>;
  private readonly mailbox: Mailbox<Envelope<Msg, Reply>>;
  private readonly timers = new Set<{ handle: NodeJS.Timeout; state: TimerState }>();
  private stopping = false;
  private stoppedPromise?: Promise<void>;

  constructor(
    readonly id: string,
    private readonly factory: () => Actor<Msg, Reply>,
    private readonly logger: Logger,
    private readonly options: ActorRefOptions,
    private readonly onStopped: (ref: ActorRef<Msg, Reply>) => void,
  ) {
    this.mailbox = new Mailbox<Envelope<Msg, Reply>>({
      capacity: options.mailboxCapacity,
      process: this.process,
      onError: this.onError,
    });
    this.instance = this.createInstance();
    this.mailbox.push({ kind: 'control', run: async () => this.instance.onStart?.() });
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Messages waiting (not counting the one in progress). */
  get queued(): number {
    return this.mailbox.size;
  }

  /** Fire and forget; false when the actor is stopped or its mailbox is full (the message is dropped). */
  tell(message: Msg): boolean {
    if (this.stopping || this.mailbox.full) return false;
    this.mailbox.push({ kind: 'message', message });
    return true;
  }

  /**
   * Resolves with what `receive` returned, rejects with what it threw or ActorError TIMEOUT.
   * `timeoutMs` 0 waits without a timer (for callers bounded otherwise, like a handler turn).
   */
  ask(message: Msg, timeoutMs: number = this.options.askTimeoutMs): Promise<Reply> {
    if (this.stopping) return Promise.reject(new ActorError('ACTOR_STOPPED', `actor ${this.id} is stopped`));
    if (this.mailbox.full)
      return Promise.reject(new ActorError('MAILBOX_FULL', `actor ${this.id} mailbox is full`));
    return new Promise<Reply>((resolve, reject) => {
      let settled = false;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              settled = true;
              reject(new ActorError('TIMEOUT', `actor ${this.id} did not answer within ${timeoutMs} ms`));
            }, timeoutMs)
          : undefined;
      const reply: Reply_<Reply> = {
        resolve: (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      };
      this.mailbox.push({ kind: 'message', message, reply });
    });
  }

  /** Replaces the instance with a fresh one from the factory, after the messages already queued. */
  restart(): Promise<void> {
    if (this.stopping) return Promise.reject(new ActorError('ACTOR_STOPPED', `actor ${this.id} is stopped`));
    return new Promise((resolve, reject) => {
      this.mailbox.push({
        kind: 'control',
        run: async () => {
          try {
            await this.retire();
            this.instance = this.createInstance();
            await this.instance.onStart?.();
            resolve();
          } catch (error) {
            reject(error);
            throw error;
          }
        },
      });
    });
  }

  /** Lets the current message finish, drops the queue (asks get ACTOR_STOPPED), cancels timers, runs onStop. */
  stop(): Promise<void> {
    if (this.stoppedPromise) return this.stoppedPromise;
    this.stopping = true;
    for (const envelope of this.mailbox.clear()) {
      if (envelope.kind === 'message')
        envelope.reply?.reject(new ActorError('ACTOR_STOPPED', `actor ${this.id} stopped`));
    }
    this.stoppedPromise = (async () => {
      await this.mailbox.idle();
      try {
        await this.retire();
      } catch (error) {
        this.logger.error({ err: error, actor: this.id }, 'actor onStop failed');
      }
      this.onStopped(this);
    })();
    return this.stoppedPromise;
  }

  private createInstance(): Actor<Msg, Reply> {
    const instance = this.factory();
    const context: ActorContext<Msg, Reply> = {
      self: this,
      logger: this.logger,
      after: (ms, callback) => this.addTimer(ms, callback, false),
      every: (ms, callback) => this.addTimer(ms, callback, true),
    };
    instance.attach(context);
    return instance;
  }

  private async retire(): Promise<void> {
    for (const timer of this.timers) {
      timer.state.cancelled = true;
      clearTimeout(timer.handle);
    }
    this.timers.clear();
    await this.instance.onStop?.();
  }

  private addTimer(ms: number, callback: () => void | Promise<void>, repeat: boolean): ActorTimer {
    if (this.stopping) throw new ActorError('ACTOR_STOPPED', `actor ${this.id} is stopped`);
    const state: TimerState = {
      callback,
      cancelled: false,
      cancel: () => {
        state.cancelled = true;
        clearTimeout(entry.handle);
        this.timers.delete(entry);
      },
    };
    const fire = (): void => {
      if (state.cancelled || this.stopping) return;
      if (!repeat) this.timers.delete(entry);
      this.mailbox.push({ kind: 'timer', timer: state });
    };
    const entry = { handle: repeat ? setInterval(fire, ms) : setTimeout(fire, ms), state };
    this.timers.add(entry);
    return state;
  }

  private process = (envelope: Envelope<Msg, Reply>): void | Promise<void> => {
    if (envelope.kind === 'control') return envelope.run();
    if (envelope.kind === 'timer') return envelope.timer.cancelled ? undefined : envelope.timer.callback();
    const result = this.instance.receive(envelope.message);
    if (isThenable(result)) return Promise.resolve(result).then((value) => envelope.reply?.resolve(value));
    envelope.reply?.resolve(result);
  };

  private onError = (error: unknown, envelope: Envelope<Msg, Reply>): void => {
    this.logger.error({ err: error, actor: this.id }, 'actor message failed');
    if (envelope.kind === 'message') envelope.reply?.reject(error);
  };
}

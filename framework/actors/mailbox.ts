export interface MailboxOptions<T> {
  /** Messages queued (not counting the one being handled) at which `full` turns true. */
  capacity: number;
  /** Handles one message; the next starts only after a returned promise settles. */
  process(item: T): void | Promise<void>;
  /** A throw or rejection of `process`; the mailbox goes on with the next message. */
  onError(error: unknown, item: T): void;
  /** The queue reached capacity. */
  onFull?(): void;
  /** After onFull, the queue fell below half the capacity. */
  onDrained?(): void;
}

/**
 * A FIFO handled strictly one message at a time, across awaits. Synchronous handlers run without a promise
 * per message. The capacity is advisory: the owner decides what to do when `full` (pause input, refuse, close).
 */
export class Mailbox<T> {
  private items: T[] = [];
  private head = 0;
  private running = false;
  private wasFull = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: MailboxOptions<T>) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.size >= this.options.capacity;
  }

  /** True while a message is being handled or queued. */
  get busy(): boolean {
    return this.running || this.size > 0;
  }

  push(item: T): void {
    this.items.push(item);
    if (!this.wasFull && this.full) {
      this.wasFull = true;
      this.options.onFull?.();
    }
    if (!this.running) this.drain();
  }

  /** Drops every queued message (not the one in progress) and returns them. */
  clear(): T[] {
    const dropped = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.checkDrained();
    return dropped;
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private take(): T {
    const item = this.items[this.head];
    this.items[this.head] = undefined as T; // release the reference
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.checkDrained();
    return item;
  }

  private checkDrained(): void {
    if (this.wasFull && this.size < this.options.capacity / 2) {
      this.wasFull = false;
      this.options.onDrained?.();
    }
  }

  private drain = (): void => {
    this.running = true;
    while (this.size > 0) {
      const item = this.take();
      let result: void | Promise<void>;
      try {
        result = this.options.process(item);
      } catch (error) {
        this.options.onError(error, item);
        continue;
      }
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(this.drain, (error: unknown) => {
          this.options.onError(error, item);
          this.drain();
        });
        return;
      }
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  };
}

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

/** Slots of a queue's first ring; it doubles when full. */
const FIRST_RING_SLOTS = 8;
/** A ring that grew beyond this many slots is released when the queue empties (a burst must not pin it). */
const KEEP_RING_SLOTS = 64;

/**
 * A FIFO handled strictly one message at a time, across awaits. Synchronous handlers run without a promise
 * per message, and a message pushed to an idle mailbox is handled at once without being queued. The
 * capacity is advisory: the owner decides what to do when `full` (pause input, refuse, close).
 * Idle, a mailbox holds no arrays: the queue's ring (reused while messages flow), the idle waiters and the
 * continuation for async handlers are allocated on first need.
 */
export class Mailbox<T> {
  /** Queued messages: `count` of them from `head`, wrapping; its length is a power of two. */
  private ring: (T | undefined)[] | undefined;
  private head = 0;
  private count = 0;
  private running = false;
  private wasFull = false;
  private idleWaiters: (() => void)[] | undefined;
  private continueDrain: (() => void) | undefined;

  constructor(private readonly options: MailboxOptions<T>) {}

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.options.capacity;
  }

  /** True while a message is being handled or queued. */
  get busy(): boolean {
    return this.running || this.count > 0;
  }

  push(item: T): void {
    if (this.busy) {
      this.enqueue(item);
      if (!this.wasFull && this.full) {
        this.wasFull = true;
        this.options.onFull?.();
      }
      return;
    }
    this.running = true;
    if (!this.run(item)) this.drain();
  }

  /** Drops every queued message (not the one in progress) and returns them. */
  clear(): T[] {
    const dropped: T[] = [];
    while (this.count > 0) dropped.push(this.dequeue());
    this.ring = undefined;
    this.head = 0;
    this.checkDrained();
    return dropped;
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => (this.idleWaiters ??= []).push(resolve));
  }

  /** Handles one message; true when its handler went asynchronous (the drain continues when it settles). */
  private run(item: T): boolean {
    let result: void | Promise<void>;
    try {
      result = this.options.process(item);
    } catch (error) {
      this.options.onError(error, item);
      return false;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then((this.continueDrain ??= () => this.drain()), (error: unknown) => {
        this.options.onError(error, item);
        this.drain();
      });
      return true;
    }
    return false;
  }

  /** With `running` set: handles queued messages until the queue is empty or a handler goes async. */
  private drain(): void {
    while (this.count > 0) {
      const item = this.dequeue();
      this.checkDrained();
      if (this.run(item)) return;
    }
    this.running = false;
    const waiters = this.idleWaiters;
    if (waiters === undefined) return;
    this.idleWaiters = undefined;
    for (const resolve of waiters) resolve();
  }

  private enqueue(item: T): void {
    let ring = this.ring;
    if (ring === undefined || this.count === ring.length) ring = this.grow();
    ring[(this.head + this.count) & (ring.length - 1)] = item;
    this.count++;
  }

  private dequeue(): T {
    const ring = this.ring!;
    const item = ring[this.head] as T;
    ring[this.head] = undefined; // release the reference
    this.head = (this.head + 1) & (ring.length - 1);
    this.count--;
    if (this.count === 0) {
      this.head = 0;
      if (ring.length > KEEP_RING_SLOTS) this.ring = undefined;
    }
    return item;
  }

  /** A ring twice as long (or the first one), the queued messages moved to its start. */
  private grow(): (T | undefined)[] {
    const old = this.ring;
    const ring = new Array<T | undefined>(old === undefined ? FIRST_RING_SLOTS : old.length * 2);
    if (old !== undefined) {
      for (let i = 0; i < this.count; i++) ring[i] = old[(this.head + i) & (old.length - 1)];
    }
    this.ring = ring;
    this.head = 0;
    return ring;
  }

  private checkDrained(): void {
    if (this.wasFull && this.count < this.options.capacity / 2) {
      this.wasFull = false;
      this.options.onDrained?.();
    }
  }
}

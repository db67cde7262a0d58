import type { Logger } from 'pino';
import { ActorError } from '../actors/actor-ref';
import type { Route } from './actor-directory';
import type { Delivery } from './base-cluster';
import { answerError, type Answer } from './envelope';
import { ClusterError } from './errors';

/** What an Outbox needs from its cluster. */
export interface OutboxLinks {
  resolve(): Promise<Route>;
  /** Hands the delivery to the activation here; false when there is none (any more). */
  deliverLocally(delivery: Delivery): boolean;
  /** One request to the node; rejects with a NATS error (no responders, timeout, closed). */
  request(node: string, delivery: Delivery, timeoutMs: number): Promise<Answer>;
  readonly tellTimeoutMs: number;
  readonly logger: Logger;
}

interface Pending {
  delivery: Delivery;
  deadline: number;
  /** Bumped on every resend: an answer to an older attempt is ignored. */
  attempt: number;
}

/** A tell's ack normally comes in a round trip; missing this long, the tell is resent. */
const MAX_TELL_ACK_MS = 3000;

/**
 * The messages from this node to one actor, in order: queued while the actor is being looked up, then sent
 * one request each without waiting (NATS keeps one connection's messages in order). When a send finds the
 * actor gone (no responders, "retry", timeout), it and every later message in flight go back to the front
 * of the queue, in order, and are resent after a new look-up. Under such a failure a message may arrive
 * twice (at-least-once); otherwise exactly once.
 */
export class Outbox {
  private queue: Pending[] = [];
  private inflight: Pending[] = [];
  private route: Route | undefined;
  private resolving = false;
  private backoffMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly label: string,
    private readonly links: OutboxLinks,
  ) {}

  get idle(): boolean {
    return this.queue.length === 0 && this.inflight.length === 0 && !this.resolving;
  }

  push(delivery: Delivery): void {
    const timeout = delivery.ask?.timeoutMs ?? this.links.tellTimeoutMs;
    this.queue.push({ delivery, deadline: Date.now() + timeout, attempt: 0 });
    this.pump();
  }

  /** Fails everything queued (the node is stopping). */
  close(error: ClusterError): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    for (const pending of [...this.inflight, ...this.queue]) this.fail(pending, error);
    this.queue = [];
    this.inflight = [];
  }

  private pump(): void {
    if (this.resolving || this.retryTimer !== undefined) return;
    if (this.route === undefined) {
      if (this.queue.length > 0) this.lookUp();
      return;
    }
    while (this.queue.length > 0) {
      const pending = this.queue.shift()!;
      const left = pending.deadline - Date.now();
      if (left <= 0) {
        this.expire(pending);
        continue;
      }
      if (this.route.kind === 'local') {
        if (!this.links.deliverLocally(pending.delivery)) {
          this.queue.unshift(pending);
          this.rebound();
          return;
        }
        this.backoffMs = 0;
        continue;
      }
      this.sendRemote(pending, this.route.node, left);
    }
  }

  private lookUp(): void {
    this.resolving = true;
    this.links.resolve().then(
      (route) => {
        this.resolving = false;
        this.route = route;
        this.pump();
      },
      (error: unknown) => {
        this.resolving = false;
        this.links.logger.warn({ err: error, actor: this.label }, 'cluster: actor look-up failed (retrying)');
        this.retryLater();
      },
    );
  }

  private sendRemote(pending: Pending, node: string, left: number): void {
    const attempt = ++pending.attempt;
    this.inflight.push(pending);
    const timeoutMs = pending.delivery.ask !== undefined ? left : Math.min(left, MAX_TELL_ACK_MS);
    this.links.request(node, pending.delivery, timeoutMs).then(
      (answer) => {
        if (pending.attempt !== attempt) return;
        if (!answer.ok && 'retry' in answer) {
          this.rebound(pending);
          return;
        }
        this.settle(pending);
        this.backoffMs = 0;
        if (answer.ok) pending.delivery.ask?.resolve(answer.r);
        else this.fail(pending, answerError(answer));
      },
      () => {
        if (pending.attempt !== attempt) return;
        if (Date.now() >= pending.deadline) {
          this.settle(pending); // the actor is slow, not gone: an ask times out, the route stays
          this.expire(pending);
        } else {
          this.rebound(pending); // no responders (node gone), a lost request, closed
        }
      },
    );
  }

  /** The route failed at `from` (or at the local head): `from` and every later message in flight go first. */
  private rebound(from?: Pending): void {
    const index = from === undefined ? this.inflight.length : this.inflight.indexOf(from);
    const resend = this.inflight.splice(Math.max(0, index));
    for (const pending of resend) pending.attempt++;
    this.queue = [...resend, ...this.queue];
    this.route = undefined;
    this.retryLater();
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined) return;
    this.backoffMs = Math.min(500, this.backoffMs === 0 ? 20 : this.backoffMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.backoffMs);
  }

  private settle(pending: Pending): void {
    const index = this.inflight.indexOf(pending);
    if (index >= 0) this.inflight.splice(index, 1);
  }

  private expire(pending: Pending): void {
    const { delivery } = pending;
    if (delivery.ask !== undefined)
      delivery.ask.reject(
        new ActorError('TIMEOUT', `actor ${this.label} did not answer within ${delivery.ask.timeoutMs} ms`),
      );
    else this.links.logger.warn({ actor: this.label }, 'cluster: tell dropped, the actor stayed unreachable');
  }

  private fail(pending: Pending, error: unknown): void {
    if (pending.delivery.ask !== undefined) pending.delivery.ask.reject(error);
    else this.links.logger.warn({ err: error, actor: this.label }, 'cluster: tell not delivered');
  }
}

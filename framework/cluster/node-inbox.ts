import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { ActorRef } from '../actors/actor-ref';
import type { SessionId } from '../transport/transport';
import {
  decodeEnvelope,
  encodeJson,
  errorAnswer,
  type Answer,
  type Envelope,
  type RoomEnvelope,
} from './envelope';

/** What the inbox needs from its node. */
export interface InboxLinks {
  /** The activation held here; undefined when there is none. */
  find(type: string, id: string): ActorRef<unknown, unknown> | undefined;
  /** Whether the actor type is defined on this node. */
  defines(type: string): boolean;
  /** No activation here: check the directory in the background (the key may be this node's). */
  recheck(type: string, id: string): void;
  /** Kicks a local session: its user logged in on another node; false when it is not here. */
  kick(user: string, session: SessionId): boolean;
  /** Sends a push frame to a local session of that user; false when it is not here. */
  push(user: string, session: SessionId, msgId: number, payload: Uint8Array): boolean;
  /** A room request (rooms across nodes); called on arrival, so the room's mailbox sees arrival order. */
  room(envelope: RoomEnvelope): Promise<Answer>;
  readonly logger: Logger;
}

const RETRY: Answer = { ok: false, retry: true };

/**
 * `<cluster>.node.<node>`: requests from other nodes to this node's actors and sessions. One subscription,
 * handled in arrival order: a tell is put into the mailbox before the next request is looked at.
 */
export class NodeInbox {
  private subscription: Subscription | undefined;

  constructor(private readonly links: InboxLinks) {}

  listen(nc: NatsConnection, subject: string): void {
    this.subscription = nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error === null) this.handle(msg);
        else this.links.logger.warn({ err: error }, 'cluster: inbox subscription error');
      },
    });
  }

  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private handle(msg: Msg): void {
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(msg.data);
    } catch (error) {
      this.links.logger.warn({ err: error }, 'cluster: malformed request from a peer');
      answer(msg, { ok: false, code: 'BAD_ENVELOPE', message: 'not a FastPort cluster request' });
      return;
    }
    if (envelope.k === 'push') {
      const payload = Buffer.from(envelope.payload, 'base64');
      const pushed = this.links.push(envelope.user, envelope.session, envelope.msgId, payload);
      answer(msg, pushed ? { ok: true } : { ok: false, code: 'OFFLINE', message: 'the session is gone' });
      return;
    }
    if (envelope.k === 'room') {
      this.links.room(envelope).then(
        (value) => answer(msg, value),
        (error: unknown) => answer(msg, errorAnswer(error)),
      );
      return;
    }
    if (envelope.k === 'kick') {
      answer(msg, { ok: this.links.kick(envelope.user, envelope.session) } as Answer);
      return;
    }
    if (!this.links.defines(envelope.type)) {
      answer(msg, {
        ok: false,
        code: 'UNKNOWN_ACTOR_TYPE',
        message: `actor type "${envelope.type}" is not defined`,
      });
      return;
    }
    const ref = this.links.find(envelope.type, envelope.id);
    if (ref === undefined) {
      this.links.recheck(envelope.type, envelope.id);
      answer(msg, RETRY);
      return;
    }
    if (envelope.k === 'tell') {
      answer(
        msg,
        ref.tell(envelope.m as never)
          ? { ok: true }
          : { ok: false, code: 'MAILBOX_FULL', message: `actor ${ref.id} mailbox is full or stopped` },
      );
      return;
    }
    ref.ask(envelope.m as never, envelope.t).then(
      (reply) => answer(msg, { ok: true, r: reply }),
      (error: unknown) => answer(msg, errorAnswer(error)),
    );
  }
}

function answer(msg: Msg, value: Answer): void {
  if (msg.reply) msg.respond(encodeJson(value));
}

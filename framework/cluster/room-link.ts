import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { ErrorCodes, GameError } from '../errors';
import type { GuestAddress, GuestInfo, RoomLocation, RoomPeers, RoomPortal } from '../rooms/room-peers';
import type { CloseReason } from '../transport/close-reason';
import type { SessionId } from '../transport/transport';
import { answerError, decodeAnswer, encodeJson, type Answer, type RoomEnvelope } from './envelope';
import type { Names } from './keys';

/** What the link needs from its node. */
export interface RoomLinkDeps {
  readonly node: string;
  incarnation(): string;
  nc(): NatsConnection;
  readonly names: Names;
  locate(roomId: string): Promise<RoomLocation | undefined>;
  readonly portal: RoomPortal;
  /** How long a join / handle waits for the hosting node. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/**
 * A fan-out frame on `<cluster>.fanout.<node>`: u16 message id, u32 count, that many session ids
 * (float64: ids are numbers), then the payload. One per broadcast and node; that node fans it out.
 */
export function encodeFanout(sessions: readonly SessionId[], msgId: number, payload: Uint8Array): Uint8Array {
  const head = 6 + 8 * sessions.length;
  const frame = new Uint8Array(head + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint16(0, msgId);
  view.setUint32(2, sessions.length);
  sessions.forEach((id, at) => view.setFloat64(6 + 8 * at, id));
  frame.set(payload, head);
  return frame;
}

export function decodeFanout(
  frame: Uint8Array,
): { sessions: SessionId[]; msgId: number; payload: Uint8Array } | undefined {
  if (frame.length < 6) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const count = view.getUint32(2);
  const head = 6 + 8 * count;
  if (frame.length < head) return undefined;
  const sessions: SessionId[] = [];
  for (let at = 0; at < count; at++) sessions.push(view.getFloat64(6 + 8 * at));
  return { sessions, msgId: view.getUint16(0), payload: frame.subarray(head) };
}

/**
 * Rooms across nodes over NATS: the guest's node sends join / leave / handle as requests to the hosting
 * node's subject (in the session's order: one request at a time per session turn), the hosting node
 * sends broadcasts once per guest node on its fan-out subject and drops on its node subject.
 */
export class RoomLink implements RoomPeers {
  constructor(private readonly deps: RoomLinkDeps) {}

  get node(): string {
    return this.deps.node;
  }

  get incarnation(): string {
    return this.deps.incarnation();
  }

  locate(roomId: string): Promise<RoomLocation | undefined> {
    return this.deps.locate(roomId);
  }

  join(host: string, room: string, guest: GuestInfo, options: unknown): Promise<unknown> {
    return this.request(host, room, { k: 'room', op: 'join', room, guest, o: options ?? null });
  }

  async leave(host: string, room: string, guest: GuestAddress, reason: 'left' | 'closed'): Promise<void> {
    try {
      await this.request(host, room, { k: 'room', op: 'leave', room, guest, reason });
    } catch (error) {
      this.deps.logger.warn(
        { err: error, room, host },
        'cluster: leave of a room on another node not delivered',
      );
    }
  }

  async handle(
    host: string,
    room: string,
    guest: GuestAddress,
    msgId: number,
    payload: Uint8Array,
  ): Promise<Uint8Array | undefined> {
    const encoded = Buffer.from(payload).toString('base64');
    const reply = await this.request(host, room, {
      k: 'room',
      op: 'handle',
      room,
      guest,
      msgId,
      payload: encoded,
    });
    return typeof reply === 'string' ? Buffer.from(reply, 'base64') : undefined;
  }

  send(node: string, sessions: readonly SessionId[], msgId: number, payload: Uint8Array): void {
    this.publish(this.deps.names.fanoutSubject(node), encodeFanout(sessions, msgId, payload));
  }

  dropped(guest: GuestAddress, room: string, close?: CloseReason): void {
    const envelope: RoomEnvelope = {
      k: 'room',
      op: 'drop',
      room,
      session: guest.session,
      ...(close ? { close } : {}),
    };
    this.publish(this.deps.names.nodeSubject(guest.node), encodeJson(envelope));
  }

  /** Subscribes this node's fan-out subject. */
  listen(nc: NatsConnection): Subscription {
    return nc.subscribe(this.deps.names.fanoutSubject(this.deps.node), {
      callback: (error, msg) => {
        if (error !== null) return;
        const frame = decodeFanout(msg.data);
        if (frame === undefined) this.deps.logger.warn('cluster: malformed fan-out frame from a peer');
        else this.deps.portal.deliver(frame.sessions, frame.msgId, frame.payload);
      },
    });
  }

  /** A room request from another node (the inbox's `room` link). */
  async serve(envelope: RoomEnvelope): Promise<Answer> {
    const { portal } = this.deps;
    switch (envelope.op) {
      case 'join':
        return { ok: true, r: (await portal.joinGuest(envelope.room, envelope.guest, envelope.o)) ?? null };
      case 'leave':
        await portal.leaveGuest(envelope.room, envelope.guest, envelope.reason);
        return { ok: true };
      case 'handle': {
        const payload = Buffer.from(envelope.payload, 'base64');
        const reply = await portal.handleGuest(envelope.room, envelope.guest, envelope.msgId, payload);
        return { ok: true, r: reply === undefined ? null : Buffer.from(reply).toString('base64') };
      }
      case 'drop':
        portal.droppedHere(envelope.room, envelope.session, envelope.close);
        return { ok: true };
      default:
        throw new GameError('BAD_ENVELOPE', 'unknown room request');
    }
  }

  /** Checks the nodes that have guests here; the guests of a dead node incarnation leave. */
  async sweep(isLive: (node: string, incarnation: string) => Promise<boolean>): Promise<void> {
    for (const [node, incarnations] of this.deps.portal.guestNodes())
      for (const incarnation of incarnations)
        if (!(await isLive(node, incarnation))) this.deps.portal.nodeGone(node, incarnation);
  }

  private async request(host: string, room: string, envelope: RoomEnvelope): Promise<unknown> {
    let answer: Answer;
    try {
      const reply = await this.deps.nc().request(this.deps.names.nodeSubject(host), encodeJson(envelope), {
        timeout: this.deps.timeoutMs,
      });
      answer = decodeAnswer(reply.data);
    } catch (error) {
      throw new GameError(
        ErrorCodes.NO_SUCH_ROOM,
        `room ${room} is gone: its node ${host} did not answer (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (answer.ok) return answer.r ?? undefined;
    if ('retry' in answer) throw new GameError(ErrorCodes.NO_SUCH_ROOM, `room ${room} is gone`);
    throw answerError(answer);
  }

  private publish(subject: string, data: Uint8Array): void {
    try {
      this.deps.nc().publish(subject, data);
    } catch (error) {
      this.deps.logger.warn({ err: error, subject }, 'cluster: room frame not sent (NATS connection closed)');
    }
  }
}

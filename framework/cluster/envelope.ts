/**
 * What nodes send each other on `<cluster>.node.<node>` (JSON, one request per message; the reply is an
 * ack for a tell or push, the answer for an ask). Actor messages and replies must be plain JSON data.
 */
import { ActorError } from '../actors/actor-ref';
import { GameError } from '../errors';
import type { GuestAddress, GuestInfo } from '../rooms/room-peers';
import type { CloseReason } from '../transport/close-reason';
import type { SessionId } from '../transport/transport';

export type Envelope =
  /** `t`: what is left of an ask's timeout, in ms. */
  | { k: 'tell' | 'ask'; type: string; id: string; m: unknown; from: string; t?: number }
  | { k: 'push'; user: string; session: SessionId; msgId: number; payload: string }
  /** The user logged in on the sending node: its session here is kicked. */
  | { k: 'kick'; user: string; session: SessionId }
  | RoomEnvelope;

/** Rooms across nodes: a guest's node to the hosting node (join, leave, handle), and back (drop). */
export type RoomEnvelope =
  | { k: 'room'; op: 'join'; room: string; guest: GuestInfo; o: unknown }
  | { k: 'room'; op: 'leave'; room: string; guest: GuestAddress; reason: 'left' | 'closed' }
  /** A room-scoped request of the guest: message id and its encoded payload (base64). */
  | { k: 'room'; op: 'handle'; room: string; guest: GuestAddress; msgId: number; payload: string }
  /** The hosting node let the guest go (`room` '' with `close`: its session is closed). */
  | { k: 'room'; op: 'drop'; room: string; session: SessionId; close?: CloseReason };

export type Answer =
  | { ok: true; r?: unknown }
  /** Not here (activating, or held by another node): the sender looks the actor up again and resends. */
  | { ok: false; retry: true }
  | { ok: false; code: string; message: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: Envelope | Answer): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Parses a peer's JSON; a malformed one throws (the inbox answers it with BAD_ENVELOPE). */
export function decodeEnvelope(data: Uint8Array): Envelope {
  const value = JSON.parse(decoder.decode(data)) as Envelope;
  if (typeof value !== 'object' || value === null || typeof value.k !== 'string')
    throw new Error('not a cluster envelope');
  return value;
}

export function decodeAnswer(data: Uint8Array): Answer {
  return JSON.parse(decoder.decode(data)) as Answer;
}

const ACTOR_CODES = new Set(['ACTOR_STOPPED', 'MAILBOX_FULL', 'TIMEOUT']);

/** An error thrown by a remote actor as an Answer: a GameError keeps its code, others are ACTOR_FAILED. */
export function errorAnswer(error: unknown): Answer {
  if (error instanceof GameError) return { ok: false, code: error.code, message: error.message };
  return { ok: false, code: 'ACTOR_FAILED', message: error instanceof Error ? error.message : String(error) };
}

/** The error an ask caller sees for an error Answer (ActorError for the actor system's own codes). */
export function answerError(answer: { code: string; message: string }): GameError {
  if (ACTOR_CODES.has(answer.code))
    return new ActorError(answer.code as 'ACTOR_STOPPED' | 'MAILBOX_FULL' | 'TIMEOUT', answer.message);
  return new GameError(answer.code, answer.message);
}

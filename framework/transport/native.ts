/**
 * The one typed seam to the native addon (docs/boundary.md). Record layouts, constants and the binding's
 * TypeScript shape live here; only loader.ts loads the `.node` file.
 */
import { CLOSE_REASONS } from './close-reason';
import type { NativeEngineName, TransportLimits } from './transport';

/** Options handed to `new binding.Engine(...)`; validated in TS (options.ts) before the call. */
export interface NativeEngineOptions extends TransportLimits {
  engine: NativeEngineName;
  ioThreads: number;
  /** Accepted sessions may be HTTP / WebSocket (upgrades answered natively; HTTP events for plain requests). */
  websocket: boolean;
  /** The path a WebSocket upgrade must ask for (default '/'). */
  wsPath?: string;
  /** Origin values allowed to upgrade (exact match); absent = any origin. */
  wsOrigins?: string[];
  /** SO_REUSEPORT shared with other processes (default false). */
  reusePort?: boolean;
  /** FRAME payloads of at least this many bytes travel as detached ArrayBuffers (0 = never; default 32 KiB). */
  detachFrameBytes?: number;
  uringEntries?: number;
  uringBufferCount?: number;
  uringBufferSize?: number;
  uringSendSliceSize?: number;
  uringSendSliceCount?: number;
}

export interface NativeEngine {
  /** Throws an Error with the errno text. */
  listen(host: string, port: number, backlog: number): { id: number; port: number };
  unlisten(listenerId: number): void;
  /** Returns the session id; OPEN or CLOSE follows as an event. */
  connect(host: string, port: number, timeoutMs: number): number;
  /**
   * Hands over this turn's command log and the payloads its SEND_PAYLOAD records name; native reads them
   * during the call only (before it delivers any event) and copies what it keeps.
   */
  submit(commands: Uint8Array, length: number, payloads?: readonly Uint8Array[]): void;
  stats(): Record<string, number>;
  shutdown(): void;
}

/**
 * `detached`: the payloads of the batch's FRAME records with reason FRAME_DETACHED, in record order; each
 * ArrayBuffer is JS's own (not reused by native). Undefined when the batch has none.
 */
export type NativeEventCallback = (batch: ArrayBuffer, length: number, detached?: ArrayBuffer[]) => void;

export interface NativeBinding {
  engines(): string[];
  /** '' when io_uring works here, else the reason it does not. */
  probeUring(): string;
  closeReasons(): string[];
  Engine: new (options: NativeEngineOptions, onEvents: NativeEventCallback) => NativeEngine;
}

/** Event record (native -> JS): u8 type, u8 reason, u16 msgId, u32 session, u32 aux, u32 length, payload. */
export const EVENT_HEADER_BYTES = 16;
export const EventType = {
  OPEN: 1,
  FRAME: 2,
  WRITABLE: 3,
  BLOCKED: 4,
  CLOSE: 5,
  HTTP: 6,
  FRAMES: 7,
} as const;
/** FRAME record reason: the payload is the next of the call's detached ArrayBuffers (the record has none). */
export const FRAME_DETACHED = 1;

/** Command record (JS -> native): u8 op, u8 reason, u16 reserved, u32 session|count, u32 length, payload. */
export const COMMAND_HEADER_BYTES = 12;
export const CommandOp = {
  SEND: 1,
  BROADCAST: 2,
  CLOSE: 3,
  ABORT: 4,
  PAUSE_READ: 5,
  RESUME_READ: 6,
  /** Raw reply bytes to an HTTP event (a plain request); the session closes with the reason after them. */
  HTTP_REPLY: 7,
  /**
   * SEND of one frame whose payload is handed to submit() beside the log: u32 index of its first payload,
   * its wire header, u16 number of payloads (consecutive from the first), sent back to back.
   */
  SEND_PAYLOAD: 8,
  /**
   * SEND of bytes of a payload handed to submit() beside the log that are whole wire frames as they are:
   * u32 payload index, u32 offset, u32 length (the echo of frames of the event batch being walked).
   */
  SEND_SPAN: 9,
} as const;

/** SEND_PAYLOAD's record payload: the u32 first payload index, the 10-byte wire header, the u16 count. */
export const SEND_PAYLOAD_BYTES = 16;
/** SEND_SPAN's record payload: the u32 payload index, the u32 offset, the u32 length. */
export const SEND_SPAN_BYTES = 12;
/** The most payloads one SEND_PAYLOAD names (its u16 count). */
export const MAX_SEND_PAYLOAD_PARTS = 0xffff;

/** Records start on 4-byte boundaries. */
export function align4(offset: number): number {
  return (offset + 3) & ~3;
}

/** Throws when the addon's close reason table differs from CLOSE_REASONS (both sides must change together). */
export function checkCloseReasons(binding: Pick<NativeBinding, 'closeReasons'>): void {
  const native = binding.closeReasons();
  const same = native.length === CLOSE_REASONS.length && native.every((name, i) => name === CLOSE_REASONS[i]);
  if (!same) {
    throw new Error(
      `fastport addon close reasons differ from framework/transport/close-reason.ts: ` +
        `native [${native.join(', ')}] vs TS [${CLOSE_REASONS.join(', ')}]; rebuild with npm run build:native`,
    );
  }
}

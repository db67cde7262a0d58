import type { ResolvedOptions } from './options';
import type { CloseReason } from './close-reason';

/** A connection's id inside one transport; never 0. */
export type SessionId = number;

export type EngineName = 'epoll' | 'uring' | 'iocp' | 'rio' | 'node';
/** Engines implemented by the native addon. */
export type NativeEngineName = Exclude<EngineName, 'node'>;
export type EngineChoice = EngineName | 'auto';

/**
 * What a transport tells its owner. Calls for one session come in order: onOpen first, onClose last and once.
 * `payload` is a view that is valid only during the onFrame call: copy it to keep it, unless `owned` is true
 * (the bytes are the handler's own, e.g. a big frame the native engine handed over in its own buffer).
 */
export interface TransportHandler {
  onOpen(session: SessionId, remote: string, listener: number): void;
  onFrame(session: SessionId, msgId: number, seq: number, payload: Uint8Array, owned?: boolean): void;
  /** false: pending send bytes passed the soft limit; true: they drained to half of it. */
  onWritable(session: SessionId, writable: boolean): void;
  onClose(session: SessionId, reason: CloseReason, errno: number): void;
  /**
   * Called once after each batch of events has been delivered (a good place to flush). Every transport
   * calls it: the game server reads the clock once per batch and takes a new reading after it.
   */
  onBatchEnd?(): void;
}

/** Limits enforced by the transport itself (docs/architecture.md, "Limits"). */
export interface TransportLimits {
  maxFrameBytes: number;
  sendSoftLimit: number;
  sendHardLimit: number;
  frameTimeoutMs: number;
  sendStallMs: number;
  maxConnections: number;
}

export interface TransportStats {
  engine: EngineName;
  [counter: string]: number | string;
}

/**
 * Where a PayloadEncoder writes in place: `bytes` from `pos` on (`bytes` starts at byte 0 of its
 * ArrayBuffer, all of which `view` spans).
 * An encoder that needs more room replaces `bytes` and `view` with a bigger array holding the same bytes
 * [0, pos) and goes on there; it leaves `pos` at the end of what it wrote.
 */
export interface EncodeTarget {
  bytes: Uint8Array<ArrayBuffer>;
  view: DataView<ArrayBuffer>;
  pos: number;
}

/** A payload that a transport can have written straight into its send buffer (Transport.sendEncoded). */
export interface PayloadEncoder<T> {
  /**
   * Writes the encoding of `message` at `target.pos` and returns undefined; or writes nothing that counts
   * and returns the encoding as parts to send back to back instead (e.g. a big field left uncopied). The
   * parts never reference `target.bytes`; they are valid until the next encode.
   */
  encodeInto(message: T, target: EncodeTarget): readonly Uint8Array[] | undefined;
  /** The encoding as bytes or parts for a transport that does not encode in place; valid until the next encode. */
  encodeForSend(message: T): Uint8Array | readonly Uint8Array[];
}

/**
 * Moves frames between sessions and the network. Sends are queued and flushed once per event-loop turn
 * (or when the queue passes a threshold); both implementations keep the same framing and limits.
 */
export interface Transport {
  readonly engine: EngineName;
  readonly limits: TransportLimits;
  /** The options a transport from createTransport was made with, defaults filled in (absent on others). */
  readonly resolvedOptions?: Readonly<ResolvedOptions>;
  setHandler(handler: TransportHandler): void;
  /** Listens on host:port (port 0 = any free port); resolves with the bound port. */
  listen(host: string, port: number): Promise<{ listener: number; port: number }>;
  unlisten(listener: number): void;
  /**
   * Starts an outbound connection; onOpen follows, or onClose with connect_refused, connect_unreachable,
   * dns_failed, connect_failed (another cause; errno given) or connect_timeout.
   */
  connect(host: string, port: number, timeoutMs: number): SessionId;
  /**
   * Queues one frame (payload without the 10-byte header); the payload is copied before send() returns,
   * except the payload onFrame is being called with, which may be read only after that handler returns
   * (an echo names the received frame instead of copying it): do not change it after sending it.
   */
  send(session: SessionId, msgId: number, seq: number, payload: Uint8Array): void;
  /**
   * send() of one frame whose payload is `parts` back to back (a message encoded with a big field left
   * uncopied); the parts are read before sendParts() returns, as send() reads its payload.
   */
  sendParts(session: SessionId, msgId: number, seq: number, parts: readonly Uint8Array[]): void;
  /**
   * send() of `message` encoded by `encoder`: a transport with a send buffer in JS memory (the native one)
   * has it written there in place, with no copy of its own; the others encode it and send() the bytes
   * (sendEncodedByCopy). Throws what send() throws, and what the encoder throws, having queued nothing.
   */
  sendEncoded<T>(
    session: SessionId,
    msgId: number,
    seq: number,
    encoder: PayloadEncoder<T>,
    message: T,
  ): void;
  /** Queues the same frame to many sessions, encoded once; the payload is copied before it returns. */
  broadcast(sessions: readonly SessionId[], msgId: number, seq: number, payload: Uint8Array): void;
  /** Closes after the already queued frames are sent. */
  close(session: SessionId, reason: CloseReason): void;
  /** Closes now, dropping queued frames. */
  abort(session: SessionId, reason: CloseReason): void;
  pauseReading(session: SessionId): void;
  resumeReading(session: SessionId): void;
  /** Hands queued sends to the network now instead of at the end of the turn. */
  flush(): void;
  stats(): TransportStats;
  /** Stops listening, closes every session (onClose is still called), releases native resources. */
  shutdown(): Promise<void>;
}

export const WIRE_HEADER_BYTES = 10;

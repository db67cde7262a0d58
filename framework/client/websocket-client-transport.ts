/**
 * The client side of FastPort over WebSocket, as a Transport a GameClient connects through: one binary
 * message per send() turn carrying whole FastPort frames; received messages are split into frames. Works
 * with the browser's WebSocket and with the `ws` package in Node (the constructor is passed in: no imports
 * of Node built-ins here). Client only: listen() is not supported.
 */
import type { CloseReason } from '../transport/close-reason';
import type {
  SessionId,
  Transport,
  TransportHandler,
  TransportLimits,
  TransportStats,
} from '../transport/transport';

/** The part of the WebSocket API used (browser WebSocket and `ws` both have it). */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WebSocketUrl {
  href: string;
  /** host:port as in the URL. */
  host: string;
  hostname: string;
  port: number;
}

const HEADER = 10;
const DEFAULT_MAX_FRAME = 1024 * 1024;

interface Link {
  ws: WebSocketLike;
  open: boolean;
  out: Uint8Array[];
  outBytes: number;
  /** Bytes of a frame cut by a message boundary are a protocol error: messages carry whole frames. */
  closeReason: CloseReason | null;
  timer: ReturnType<typeof setTimeout> | null;
}

function closeReasonOf(code: number, opened: boolean): CloseReason {
  if (!opened) return 'connect_failed';
  if (code === 1009) return 'frame_too_large';
  if (code === 1002 || code === 1003 || code === 1007) return 'protocol_error';
  if (code === 1006) return 'reset';
  return 'peer_closed';
}

export class WebSocketClientTransport implements Transport {
  /** Runs in JS with no addon, like the node engine (a client, not a server engine). */
  readonly engine = 'node' as const;
  readonly limits: TransportLimits;
  private handler: TransportHandler | null = null;
  private readonly links = new Map<SessionId, Link>();
  private nextId = 1;
  private flushScheduled = false;
  private readonly counters = { connected: 0, closed: 0, framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 };

  constructor(
    private readonly WebSocketImpl: WebSocketConstructor,
    private readonly url: WebSocketUrl,
    maxFrameBytes = DEFAULT_MAX_FRAME,
  ) {
    this.limits = {
      maxFrameBytes,
      sendSoftLimit: 0,
      sendHardLimit: 0,
      frameTimeoutMs: 0,
      sendStallMs: 0,
      maxConnections: 0,
    };
  }

  /** A ws:// or wss:// URL with its port resolved (80 / 443 by default). */
  static parseUrl(text: string): WebSocketUrl {
    const url = new URL(text);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
      throw new RangeError(`url must be ws:// or wss://, got ${text}`);
    const port = url.port === '' ? (url.protocol === 'wss:' ? 443 : 80) : Number(url.port);
    return { href: url.href, host: url.host, hostname: url.hostname, port };
  }

  setHandler(handler: TransportHandler): void {
    this.handler = handler;
  }

  listen(): Promise<{ listener: number; port: number }> {
    return Promise.reject(new Error('WebSocketClientTransport is client only'));
  }

  unlisten(): void {}

  /** Opens a WebSocket to the transport's URL (host and port are the URL's). */
  connect(_host: string, _port: number, timeoutMs: number): SessionId {
    const id = this.nextId++;
    const ws = new this.WebSocketImpl(this.url.href);
    ws.binaryType = 'arraybuffer';
    const link: Link = { ws, open: false, out: [], outBytes: 0, closeReason: null, timer: null };
    this.links.set(id, link);
    link.timer = setTimeout(() => this.finish(id, 'connect_timeout'), timeoutMs);
    ws.onopen = () => {
      if (link.timer) clearTimeout(link.timer);
      link.open = true;
      this.counters.connected++;
      this.handler?.onOpen(id, this.url.host, 0);
      if (link.outBytes > 0) this.flush();
    };
    ws.onmessage = (event) => this.received(id, link, event.data);
    ws.onclose = (event) => this.finish(id, link.closeReason ?? closeReasonOf(event.code, link.open));
    ws.onerror = () => undefined; // onclose follows with the code
    return id;
  }

  sendParts(session: SessionId, msgId: number, seq: number, parts: readonly Uint8Array[]): void {
    this.queueFrame(session, msgId, seq, parts);
  }

  send(session: SessionId, msgId: number, seq: number, payload: Uint8Array): void {
    this.queueFrame(session, msgId, seq, [payload]);
  }

  /** One whole frame with the parts back to back as its payload, queued for the next flush. */
  private queueFrame(session: SessionId, msgId: number, seq: number, parts: readonly Uint8Array[]): void {
    const link = this.links.get(session);
    if (!link || link.closeReason) return;
    let length = HEADER;
    for (const part of parts) length += part.length;
    const frame = new Uint8Array(length);
    const view = new DataView(frame.buffer);
    view.setUint32(0, frame.length);
    view.setUint16(4, msgId);
    view.setUint32(6, seq);
    let at = HEADER;
    for (const part of parts) {
      frame.set(part, at);
      at += part.length;
    }
    link.out.push(frame);
    link.outBytes += frame.length;
    this.counters.framesOut++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  broadcast(sessions: readonly SessionId[], msgId: number, seq: number, payload: Uint8Array): void {
    for (const id of sessions) this.send(id, msgId, seq, payload);
  }

  close(session: SessionId, reason: CloseReason): void {
    const link = this.links.get(session);
    if (!link || link.closeReason) return;
    this.flush();
    link.closeReason = reason;
    link.ws.close(1000);
  }

  abort(session: SessionId, reason: CloseReason): void {
    this.close(session, reason);
  }

  pauseReading(): void {}
  resumeReading(): void {}

  flush(): void {
    this.flushScheduled = false;
    for (const link of this.links.values()) {
      if (!link.open || link.outBytes === 0) continue;
      const message = link.out.length === 1 ? link.out[0] : concat(link.out, link.outBytes);
      link.out = [];
      link.outBytes = 0;
      this.counters.bytesOut += message.length;
      link.ws.send(message);
    }
  }

  stats(): TransportStats {
    return { engine: 'node', sessions: this.links.size, ...this.counters };
  }

  async shutdown(): Promise<void> {
    const waits = [...this.links.keys()].map(
      (id) =>
        new Promise<void>((resolve) => {
          const link = this.links.get(id);
          if (!link) return resolve();
          const previous = link.ws.onclose;
          link.ws.onclose = (event) => {
            previous?.(event);
            resolve();
          };
          this.close(id, 'shutdown');
        }),
    );
    await Promise.all(waits);
  }

  private received(id: SessionId, link: Link, data: unknown): void {
    if (link.closeReason || !(data instanceof ArrayBuffer || ArrayBuffer.isView(data))) {
      if (!link.closeReason) this.fail(link, 1003);
      return;
    }
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.counters.bytesIn += bytes.length;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at < bytes.length) {
      if (bytes.length - at < HEADER) return this.fail(link, 1007);
      const length = view.getUint32(at);
      if (length < HEADER || length > bytes.length - at) return this.fail(link, 1007);
      this.counters.framesIn++;
      this.handler?.onFrame(
        id,
        view.getUint16(at + 4),
        view.getUint32(at + 6),
        bytes.subarray(at + HEADER, at + length),
      );
      at += length;
    }
  }

  private fail(link: Link, code: number): void {
    link.closeReason = 'protocol_error';
    link.ws.close(code === 1003 ? 1003 : 1007);
  }

  private finish(id: SessionId, reason: CloseReason): void {
    const link = this.links.get(id);
    if (!link) return;
    this.links.delete(id);
    if (link.timer) clearTimeout(link.timer);
    if (!link.closeReason || !link.open) link.closeReason = reason;
    if (reason === 'connect_timeout') link.ws.close();
    this.counters.closed++;
    this.handler?.onClose(id, reason, 0);
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The node engine's HTTP side (docs/websocket.md): a socket whose first byte is 'G' is handed to a node:http
 * server that never listens (8 KiB head limit); an upgrade that passes the path / origin checks becomes a
 * `ws` WebSocket (no permessage-deflate, maxPayload = maxFrameBytes), a plain GET gets a static file.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CloseReason } from '../close-reason';
import { httpError } from './http-reply';
import { answerPlain, refuseTarget, SUPPORTED_VERSIONS } from './upgrade';
import { MAX_REQUEST_HEAD_BYTES } from './limits';
import type { ResolvedWebSocket } from './websocket-options';

/** What happens to a socket handed over; exactly one of these is called. */
export interface UpgradeCallbacks {
  /** The 101 went out: frames now travel in WebSocket messages. */
  upgraded(ws: WebSocket): void;
  /** A reply (static file or error) is being sent; the socket closes after it. */
  answered(reason: CloseReason): void;
}

export class NodeUpgrader {
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly waiting = new WeakMap<net.Socket, UpgradeCallbacks>();

  constructor(
    private readonly options: ResolvedWebSocket,
    maxFrameBytes: number,
  ) {
    this.server = http.createServer({ maxHeaderSize: MAX_REQUEST_HEAD_BYTES });
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: maxFrameBytes,
      clientTracking: false,
    });
    this.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
    this.server.on('request', (req: http.IncomingMessage) => this.onRequest(req));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) =>
      this.onClientError(err, socket),
    );
  }

  /** Takes over a socket whose first bytes (`first`, not yet consumed) start an HTTP request. */
  take(socket: net.Socket, first: Buffer, callbacks: UpgradeCallbacks): void {
    this.waiting.set(socket, callbacks);
    socket.unshift(first);
    this.server.emit('connection', socket);
    socket.resume(); // the transport paused it while handing over
  }

  private settle(socket: net.Socket): UpgradeCallbacks | undefined {
    const callbacks = this.waiting.get(socket);
    this.waiting.delete(socket);
    return callbacks;
  }

  private reply(socket: net.Socket, bytes: Buffer, reason: CloseReason): void {
    this.settle(socket)?.answered(reason);
    socket.end(bytes);
  }

  private onUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const path = (req.url ?? '/').split(/[?#]/)[0];
    const refused = refuseTarget(path, req.headers.origin, this.options);
    if (refused) return this.reply(socket, httpError(refused.status, refused.text), 'protocol_error');
    const version = req.headers['sec-websocket-version'];
    if (version !== '13' && version !== '8') {
      const text = `Sec-WebSocket-Version ${version ?? '(none)'} is not supported`;
      return this.reply(
        socket,
        httpError(426, text, { 'Sec-WebSocket-Version': SUPPORTED_VERSIONS }),
        'protocol_error',
      );
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      return this.reply(socket, httpError(400, `cannot upgrade to ${req.headers.upgrade}`), 'protocol_error');
    }
    const callbacks = this.waiting.get(socket);
    // ws answers bad keys / versions itself (400 / 426) and destroys the socket: the session closes then.
    socket.once('close', () => this.settle(socket)?.answered('protocol_error'));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.waiting.delete(socket);
      callbacks?.upgraded(ws);
    });
  }

  private onRequest(req: http.IncomingMessage): void {
    const socket = req.socket;
    void answerPlain({ method: req.method ?? 'GET', url: req.url ?? '/' }, this.options).then((bytes) =>
      this.reply(socket, bytes, 'server_close'),
    );
  }

  private onClientError(err: NodeJS.ErrnoException, socket: net.Socket): void {
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      return this.reply(socket, httpError(431, 'request head too large'), 'frame_too_large');
    }
    this.reply(socket, httpError(400, `malformed HTTP request: ${err.message}`), 'protocol_error');
  }
}

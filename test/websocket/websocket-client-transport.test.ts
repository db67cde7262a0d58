/**
 * The WebSocket client transport (with the `ws` package's WebSocket) against an echo server: send() and
 * sendParts() interleaved arrive as whole frames in call order, a part overwritten after the call included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  WebSocketClientTransport,
  type WebSocketConstructor,
} from '../../framework/client/websocket-client-transport';
import { implementations } from '../transport/helpers/implementations';
import { Recorder } from '../transport/helpers/recorder';
import { startEchoServer, type EchoServer } from './helpers/echo-server';

const row = implementations().find((impl) => !impl.skip);

describe('WebSocketClientTransport', () => {
  const servers: EchoServer[] = [];
  const clients: WebSocketClientTransport[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.shutdown();
    for (const s of servers.splice(0)) await s.transport.shutdown();
  });

  if (!row) {
    it.skip('needs a server transport: none is available here', () => undefined);
    return;
  }

  it('sends send() and sendParts() frames in call order, parts back to back', async () => {
    const s = await startEchoServer(row);
    servers.push(s);
    const url = WebSocketClientTransport.parseUrl(`ws://127.0.0.1:${s.port}/`);
    const client = new WebSocketClientTransport(WebSocket as unknown as WebSocketConstructor, url);
    clients.push(client);
    const rec = new Recorder();
    client.setHandler(rec);
    const id = client.connect(url.hostname, url.port, 5000);
    const reused = Buffer.from('tail');
    client.send(id, 101, 1, Buffer.from('one'));
    client.sendParts(id, 102, 2, [Buffer.from('head-'), Buffer.alloc(0), reused]);
    reused.fill(0x3f); // the transport keeps no reference to a caller's part
    client.sendParts(id, 103, 3, [Buffer.alloc(70_000, 7), Buffer.from('!')]);
    client.send(id, 104, 4, Buffer.alloc(0));
    await expect.poll(() => rec.frames.length).toBe(4);
    expect(rec.frames.map((f) => [f.msgId, f.seq, f.payload.length])).toEqual([
      [101, 1, 3],
      [102, 2, 9],
      [103, 3, 70_001],
      [104, 4, 0],
    ]);
    expect(Buffer.from(rec.frames[1]!.payload).toString()).toBe('head-tail');
    expect(Buffer.from(rec.frames[2]!.payload).subarray(69_998).toString('hex')).toBe('070721');
  });
});

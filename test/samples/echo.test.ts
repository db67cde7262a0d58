/** The framework echo sample, end to end: its real client, and the Hello bytes docs/samples.md documents. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hello, Welcome, HELLO_MAGIC, PROTOCOL_VERSION } from '../../framework/protocol/framework-messages';
import { runEchoClient } from '../../samples/echo/client';
import { EchoReq, EchoRes } from '../../samples/echo/generated/packets';
import { startEchoServer } from '../../samples/echo/server';
import { frameHex, RawSocket } from './support/raw-socket';

const DOC = path.join(__dirname, '..', '..', 'docs', 'samples.md');

describe('samples/echo (framework path)', () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  beforeAll(async () => {
    echo = await startEchoServer({ port: 0, logLevel: 'silent' });
  });
  afterAll(async () => {
    await echo.server.stop();
  });

  it('answers the echo client with the bytes it sent', async () => {
    const lines: string[] = [];
    const run = await runEchoClient(
      { host: '127.0.0.1', port: echo.port, message: 'ping ü', count: 5 },
      (line) => lines.push(line),
    );
    expect(run.mismatches).toBe(0);
    expect(run.rttMs).toHaveLength(5);
    expect(lines.at(-1)).toContain('"ping ü #5"');
  });

  it('switches the message-rate limit off: 3000 requests in one burst all come back', async () => {
    const socket = await RawSocket.connect(echo.port);
    const count = 3000; // the default limit would close the session after its burst of 1000
    let hex = frameHex(
      Hello.id,
      1,
      Hello.encode(Hello.create({ magic: HELLO_MAGIC, protocolVersion: PROTOCOL_VERSION })),
    );
    for (let seq = 2; seq < count + 2; seq++)
      hex += frameHex(EchoReq.id, seq, EchoReq.encode({ data: Buffer.from([seq & 255]) }));
    socket.write(hex);
    const frames = await socket.until(count + 1, 20_000);
    socket.close();
    expect(frames.slice(1).every((f, i) => f.msgId === EchoRes.id && f.seq === i + 2)).toBe(true);
    expect(EchoRes.decode(frames[count].payload).data[0]).toBe((count + 1) & 255);
  });

  it('is driven by the Hello and EchoReq hex documented in docs/samples.md', async () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    const hello = /Hello frame \(hex\)[^`]*`([0-9a-f]+)`/.exec(doc)?.[1];
    const request = /EchoReq frame \(hex\)[^`]*`([0-9a-f]+)`/.exec(doc)?.[1];
    expect(hello, 'docs/samples.md names the Hello frame in hex').toBeDefined();
    expect(request, 'docs/samples.md names an EchoReq frame in hex').toBeDefined();
    expect(hello).toBe(
      frameHex(
        Hello.id,
        1,
        Hello.encode(Hello.create({ magic: HELLO_MAGIC, protocolVersion: PROTOCOL_VERSION })),
      ),
    );
    const socket = await RawSocket.connect(echo.port);
    socket.write(`${hello}${request}`);
    const [welcome, answer] = await socket.until(2);
    socket.close();
    expect([welcome.msgId, welcome.seq]).toEqual([Welcome.id, 1]);
    expect(Welcome.decode(welcome.payload).protocolVersion).toBe(PROTOCOL_VERSION);
    expect([answer.msgId, answer.seq]).toEqual([EchoRes.id, 2]);
    expect(Buffer.from(EchoRes.decode(answer.payload).data).toString()).toBe('hi');
  });
});

/**
 * Event batches handed to JS: every frame whole and in order, big batches (a slow JS side lets them grow to
 * megabytes) included. A batch is lent (inline driver: an external ArrayBuffer over the driver's storage) or
 * copied into an ArrayBuffer JS reuses, and never detached: detaching any ArrayBuffer invalidates V8's
 * process-wide ArrayBufferDetaching protector (docs/operations.md "Cost"),
 * and neither big batches nor detached payloads (frames of 32 KiB+) may do that. shutdown() from inside a
 * big batch leaves that batch intact.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { connect, type Socket } from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { binding, CLOSE, command, FRAME, parseBatch, type RawEngine, wireFrame } from './epoll-harness';

const KiB = 1024;
const BIG_BATCH = 128 * KiB;
const PAYLOAD_BYTES = 1000;
const FRAMES = 4000; // ~4 MiB: several big batches while JS is slow
const SLOW_CALL_MS = 20;
const ABORT = 4; // command op (docs/boundary.md)
const SERVER_CLOSE = 8; // close reason code

/** Frame `seq`'s payload: every byte is seq's low byte, so a frame read from reused memory shows. */
function payloadOf(seq: number, bytes = PAYLOAD_BYTES): Buffer {
  return Buffer.alloc(bytes, seq & 0xff);
}

function burst(count: number, bytes = PAYLOAD_BYTES): Buffer {
  return Buffer.concat(
    Array.from({ length: count }, (_, i) => wireFrame(100, i + 1, payloadOf(i + 1, bytes))),
  );
}

const uringSkip = binding.engines().includes('uring') ? binding.probeUring() : 'not compiled into the addon';
const rows = [
  { engine: 'epoll', ioThreads: 0 },
  { engine: 'uring', ioThreads: 0 },
  { engine: 'epoll', ioThreads: 1 },
];

describe.each(rows)('$engine engine, ioThreads $ioThreads: batches handed to JS', ({ engine, ioThreads }) => {
  let native: RawEngine | undefined;
  let socket: Socket | undefined;
  afterEach(() => {
    socket?.destroy();
    native?.shutdown();
    native = socket = undefined;
  });

  it.skipIf(engine === 'uring' && uringSkip !== '')(
    'carry every frame whole and in order, big batches too, and stay attached after their call',
    async () => {
      const calls: { batch: ArrayBuffer; length: number }[] = [];
      const seqs: number[] = [];
      const corrupt: number[] = [];
      native = new binding.Engine(
        { engine, ioThreads, maxFrameBytes: 1 << 20, maxConnections: 10 },
        (batch, length) => {
          calls.push({ batch, length });
          for (const e of parseBatch(batch, length)) {
            if (e.type !== FRAME) continue;
            seqs.push(e.aux);
            if (!e.payload.equals(payloadOf(e.aux))) corrupt.push(e.aux);
          }
          // A slow JS side: the socket buffers fill meanwhile, so the next pass reads a big batch.
          const until = Date.now() + SLOW_CALL_MS;
          while (Date.now() < until);
        },
      );
      const { port } = native.listen('127.0.0.1', 0, 16);
      const frames = burst(FRAMES);
      socket = connect(port, '127.0.0.1', () => socket!.write(frames));
      socket.on('error', () => undefined);
      await expect.poll(() => seqs.length, { timeout: 30_000 }).toBe(FRAMES);

      expect(corrupt).toEqual([]);
      expect(seqs).toEqual(Array.from({ length: FRAMES }, (_, i) => i + 1));
      expect(calls.filter((c) => c.length >= BIG_BATCH).length).toBeGreaterThan(0);
      for (const c of calls) expect(c.batch.byteLength).toBeGreaterThanOrEqual(c.length); // not detached
    },
  );
  it.skipIf(engine === 'uring' && uringSkip !== '')(
    'keep the batch being read unchanged while the call raises events (those come in a later call)',
    async () => {
      const CLIENTS = 20;
      const changed: number[] = [];
      const framesFrom = new Set<number>();
      const closedIn = new Map<number, number>(); // session -> call that carried its CLOSE
      let call = 0;
      native = new binding.Engine(
        { engine, ioThreads, maxFrameBytes: 1 << 20, maxConnections: 100 },
        (batch, length) => {
          call++;
          const before = Buffer.from(new Uint8Array(batch, 0, length));
          for (const e of parseBatch(batch, length)) {
            if (e.type === CLOSE) closedIn.set(e.session, call);
            if (e.type !== FRAME) continue;
            framesFrom.add(e.session);
            // An abort writes the session's CLOSE right away, during this call.
            const abort = command(ABORT, e.session, undefined, SERVER_CLOSE);
            native!.submit(abort, abort.length);
          }
          if (!before.equals(Buffer.from(new Uint8Array(batch, 0, length)))) changed.push(call);
        },
      );
      const { port } = native.listen('127.0.0.1', 0, 64);
      const clients = Array.from({ length: CLIENTS }, () => {
        const c = connect(port, '127.0.0.1', () => c.write(burst(1)));
        c.on('error', () => undefined);
        return c;
      });
      try {
        await expect.poll(() => closedIn.size, { timeout: 10_000 }).toBe(CLIENTS);
      } finally {
        for (const c of clients) c.destroy();
      }
      expect(changed).toEqual([]);
      expect(framesFrom.size).toBe(CLIENTS);
    },
  );
});

const RAW_ECHO = path.join(__dirname, '..', '..', 'dist', 'samples', 'echo', 'raw-server.js');
const built = fs.existsSync(RAW_ECHO);

describe.skipIf(!built).each([0, 1])(
  `raw echo server on epoll, ioThreads %i${built ? '' : ' (skipped: run npm run build)'}`,
  (ioThreads) => {
    it('echoes big batches and detached payloads without invalidating the ArrayBufferDetaching protector', async () => {
      const child = spawn(
        process.execPath,
        [
          '--trace-protector-invalidation',
          RAW_ECHO,
          '--port',
          '0',
          '--engine',
          'epoll',
          '--io-threads',
          String(ioThreads),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      let client: Socket | undefined;
      try {
        await expect.poll(() => output, { timeout: 20_000 }).toMatch(/"port":\d+/);
        const port = Number(/"port":(\d+)/.exec(output)![1]);
        // Small frames in one write (batches of many records), then frames of 64 KiB and 1 MiB (detached).
        const sent = Buffer.concat([burst(2000), burst(8, 64 * KiB), burst(1, 1024 * KiB - 10)]);
        let echoed = 0;
        client = connect(port, '127.0.0.1', () => client!.write(sent));
        client.on('data', (chunk: Buffer) => (echoed += chunk.length));
        await expect.poll(() => echoed, { timeout: 20_000 }).toBe(sent.length);
      } finally {
        client?.destroy();
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      expect(output).not.toContain('Invalidating protector cell ArrayBufferDetaching');
    });
  },
);

describe.each([0, 1])('epoll engine, ioThreads %i: shutdown from inside a big batch', (ioThreads) => {
  let socket: Socket | undefined;
  afterEach(() => {
    socket?.destroy();
    socket = undefined;
  });

  it('leaves the batch being read intact (the last events go out in a call of their own)', async () => {
    const seqs: number[] = [];
    const corrupt: number[] = [];
    let stopped = false;
    let nestedCalls = 0;
    let delivering = false;
    const native: RawEngine = new binding.Engine(
      { engine: 'epoll', ioThreads, maxFrameBytes: 1 << 20, maxConnections: 10 },
      (batch, length) => {
        if (delivering) nestedCalls++;
        if (stopped || delivering) return;
        if (length < BIG_BATCH) {
          const until = Date.now() + SLOW_CALL_MS; // let the socket buffer fill
          while (Date.now() < until);
          return;
        }
        delivering = true;
        native.shutdown(); // delivers the CLOSE events in a nested call
        delivering = false;
        stopped = true;
        for (const e of parseBatch(batch, length)) {
          if (e.type !== FRAME) continue;
          seqs.push(e.aux);
          if (!e.payload.equals(payloadOf(e.aux))) corrupt.push(e.aux);
        }
      },
    );
    const { port } = native.listen('127.0.0.1', 0, 16);
    const frames = Buffer.concat(
      Array.from({ length: FRAMES }, (_, i) => wireFrame(100, i + 1, payloadOf(i + 1))),
    );
    socket = connect(port, '127.0.0.1', () => socket!.write(frames));
    socket.on('error', () => undefined);
    await expect.poll(() => stopped, { timeout: 30_000 }).toBe(true);
    expect(nestedCalls).toBeGreaterThan(0);
    expect(seqs.length).toBeGreaterThan(0);
    expect(corrupt).toEqual([]);
  });
});

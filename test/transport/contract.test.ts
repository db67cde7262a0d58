/**
 * The transport contract, one suite run over every implementation (helpers/implementations.ts).
 * FASTPORT_ENGINES=node (comma-separated name prefixes) restricts the rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../../framework/transport';
import { implementations, type Implementation } from './helpers/implementations';
import { frame, openFdCount, pattern, RawClient } from './helpers/raw-client';
import { Recorder } from './helpers/recorder';
import { fillEncoder, type Fill } from './helpers/fill-encoder';
import { GATHER_FIELD_BYTES } from '../../framework/packets/gathering-writer';
import { payloadEncoderOf } from '../../framework/protocol/message-type';
import { EchoRes } from '../../samples/echo/generated/packets';
import { stalledListener } from './helpers/stalled-listener';
import { nextTurn, poll, startServer, type Server } from './helpers/server';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The server session of a raw client (matched by the client's local port). */
function sessionOf(s: Server, client: RawClient | number): number {
  const port = typeof client === 'number' ? client : client.socket.localPort;
  const found = [...s.rec.opens].find(([, open]) => open.remote.endsWith(`:${port}`));
  if (!found) throw new Error(`no session for the client on port ${port}`);
  return found[0];
}

const only = process.env.FASTPORT_ENGINES?.split(',').filter(Boolean);
const rows = implementations().filter((row) => !only || only.some((prefix) => row.name.startsWith(prefix)));

describe.each(rows.map((row) => [row.skip ? `${row.name} (skipped: ${row.skip})` : row.name, row] as const))(
  'transport contract: %s',
  (_title, impl: Implementation) => {
    if (impl.skip) {
      it.skip(impl.skip, () => undefined);
      return;
    }
    const servers: Server[] = [];
    const clients: RawClient[] = [];
    const extra: Transport[] = [];

    async function server(options = {}): Promise<Server> {
      const s = await startServer(impl, options);
      servers.push(s);
      return s;
    }
    async function client(port: number, options: { paused?: boolean } = {}): Promise<RawClient> {
      const c = await RawClient.connect(port, options);
      clients.push(c);
      return c;
    }

    afterEach(async () => {
      for (const c of clients.splice(0)) c.destroy();
      for (const t of extra.splice(0)) await t.shutdown();
      for (const s of servers.splice(0)) {
        await s.transport.shutdown();
        expect(s.rec.violations).toEqual([]);
        for (const id of s.rec.opens.keys())
          expect(s.rec.closes.has(id), `session ${id} got onClose`).toBe(true);
      }
    });

    it('delivers frames of 0 B, 1 B, 64 KiB and 1 MiB intact and in order, written byte by byte or in pieces', async () => {
      const s = await server();
      const c = await client(s.port);
      const sizes = [0, 1, 300, 0, 64 * KiB, 1 * MiB - 10];
      const frames = sizes.map((size, i) => frame(100 + i, i + 1, pattern(size, i)));
      // Small frames one byte per write, the large ones in pieces of 1..9000 bytes.
      let n = 0;
      for (const f of frames) {
        await c.writeInPieces(f, () => (f.length < 1000 ? 1 : 1 + ((n++ * 7919) % 9000)));
      }
      await s.rec.until(() => s.rec.frames.length === frames.length, 'all frames');
      expect(s.rec.frames.map((f) => [f.msgId, f.seq, f.payload.length])).toEqual(
        sizes.map((size, i) => [100 + i, i + 1, size]),
      );
      s.rec.frames.forEach((f, i) =>
        expect(f.payload.equals(pattern(sizes[i], i)), `frame ${i} bytes`).toBe(true),
      );
      // And back: the server sends the same frames, the raw client parses them.
      const session = [...s.rec.opens.keys()][0];
      sizes.forEach((size, i) => s.transport.send(session, 100 + i, i + 1, pattern(size, i)));
      await c.until(() => c.frames.length === sizes.length, 'frames from the server');
      c.frames.forEach((f, i) => {
        expect([f.msgId, f.seq]).toEqual([100 + i, i + 1]);
        expect(f.payload.equals(pattern(sizes[i], i)), `frame ${i} bytes back`).toBe(true);
      });
    });

    const bigFrameSizes = [40 * KiB, 100, 64 * KiB, 1 * MiB - 10, 300, 200 * KiB];
    async function ownedSeqs(s: Server): Promise<number[]> {
      const c = await client(s.port);
      const sizes = bigFrameSizes;
      for (let i = 0; i < sizes.length; i++) await c.write(frame(100, i + 1, pattern(sizes[i], i)));
      await s.rec.until(() => s.rec.frames.length === sizes.length, 'all frames');
      s.rec.frames.forEach((f, i) => expect(f.payload.equals(pattern(sizes[i], i)), `frame ${i}`).toBe(true));
      const owned = s.rec.frames.filter((f) => f.owned);
      // The views were not copied by the recorder: they must still hold the bytes after every later batch.
      for (const f of owned)
        expect(Buffer.from(f.view).equals(pattern(sizes[f.seq - 1], f.seq - 1))).toBe(true);
      return owned.map((f) => f.seq);
    }

    it('keeps a payload handed over as owned intact while later frames arrive (big frames on native engines)', async () => {
      const s = await server({ ownedFrameBytes: 32 * KiB });
      // Payloads of ownedFrameBytes and more leave the event batch as their own ArrayBuffer on both drivers
      // (docs/boundary.md).
      expect(await ownedSeqs(s)).toEqual(impl.name !== 'node' ? [1, 3, 4, 6] : []);
    });

    it('hands big frames over owned by default only with I/O threads, and never with ownedFrameBytes 0', async () => {
      const s = await server();
      // Inline, the batch is read in place: a buffer per frame would only add garbage collections.
      expect(await ownedSeqs(s)).toEqual(impl.name.includes('ioThreads=2') ? [1, 3, 4, 6] : []);
      const none = await server({ ownedFrameBytes: 0 });
      expect(await ownedSeqs(none)).toEqual([]);
    });

    it('sends the bytes a payload held at send(), even when the caller reuses it at once (kernel full or not)', async () => {
      const s = await server({ sendHardLimit: 64 * MiB });
      const c = await client(s.port, { paused: true }); // the kernel cannot take all of it at once
      const id = await s.rec.nextOpen();
      const sizes = [40 * KiB, 100, 1 * MiB - 10, 256 * KiB, 3, 1 * MiB - 10];
      const reused = Buffer.alloc(1 * MiB);
      sizes.forEach((size, i) => {
        pattern(size, i).copy(reused);
        s.transport.send(id, 100, i + 1, reused.subarray(0, size));
        reused.fill(0xee); // the caller's buffer changes right after the call
      });
      c.socket.resume();
      await c.until(() => c.frames.length === sizes.length, 'every frame');
      c.frames.forEach((f, i) => {
        expect([f.seq, f.payload.length]).toEqual([i + 1, sizes[i]]);
        expect(f.payload.equals(pattern(sizes[i], i)), `frame ${i} bytes`).toBe(true);
      });
    });

    it('sendParts() sends its parts back to back as one frame, read before it returns, in order with send()', async () => {
      const s = await server({ sendHardLimit: 64 * MiB });
      const c = await client(s.port, { paused: true }); // the kernel cannot take all of it at once
      const id = await s.rec.nextOpen();
      const layouts = [[3, 1 * MiB - 20, 5], [40 * KiB, 100], [0, 70 * KiB, 0], [2, 1], [256 * KiB]];
      const reused = Buffer.alloc(1 * MiB);
      const expected: Buffer[] = [];
      layouts.forEach((sizes, i) => {
        const whole = pattern(
          sizes.reduce((a, b) => a + b, 0),
          i,
        );
        whole.copy(reused);
        const parts: Buffer[] = [];
        let at = 0;
        for (const size of sizes) parts.push(reused.subarray(at, (at += size)));
        s.transport.sendParts(id, 100, 2 * i + 1, parts);
        reused.fill(0xee); // the caller's parts change right after the call
        expected.push(whole);
        s.transport.send(id, 101, 2 * i + 2, Buffer.from([i]));
        expected.push(Buffer.from([i]));
      });
      c.socket.resume();
      await c.until(() => c.frames.length === expected.length, 'every frame');
      c.frames.forEach((f, i) => {
        expect([f.seq, f.msgId, f.payload.length]).toEqual([i + 1, 100 + (i % 2), expected[i].length]);
        expect(f.payload.equals(expected[i]), `frame ${i} bytes`).toBe(true);
      });
      expect(() => s.transport.sendParts(id, 100, 1, [Buffer.alloc(MiB), Buffer.alloc(1)])).toThrow(
        /exceeds maxFrameBytes/,
      );
    });

    it('sendEncoded() sends what the encoder writes or hands back, in order with send(); a failed encode sends nothing', async () => {
      const s = await server({ sendHardLimit: 64 * MiB });
      const c = await client(s.port, { paused: true });
      const id = await s.rec.nextOpen();
      // Small (in place where the transport can), bigger than a command log (it grows), handed back as parts.
      const messages: Fill[] = [
        { length: 3, value: 1 },
        { length: 300 * KiB, value: 2 },
        { length: 0, value: 0 },
        { length: 70 * KiB, value: 3, asParts: true },
        { length: 5, value: 4, asParts: true },
      ];
      const expected: Buffer[] = [];
      messages.forEach((message, i) => {
        s.transport.sendEncoded(id, 100, 2 * i + 1, fillEncoder, message);
        expected.push(Buffer.alloc(message.length, message.value));
        s.transport.send(id, 101, 2 * i + 2, Buffer.from([i]));
        expected.push(Buffer.from([i]));
      });
      expect(() =>
        s.transport.sendEncoded(id, 100, 99, fillEncoder, { length: 1, value: 1, throws: true }),
      ).toThrow('the encoder failed');
      expect(() => s.transport.sendEncoded(id, 100, 98, fillEncoder, { length: MiB, value: 1 })).toThrow(
        /exceeds maxFrameBytes/,
      );
      // A real message type's encoder: a small EchoRes, and one whose big field is sent uncopied.
      const echoes = [Buffer.from('in place'), Buffer.alloc(GATHER_FIELD_BYTES, 7)];
      echoes.forEach((data, i) => {
        s.transport.sendEncoded(id, EchoRes.id, 200 + i, payloadEncoderOf(EchoRes), { data });
        expected.push(Buffer.from(EchoRes.encode({ data })));
      });
      c.socket.resume();
      await c.until(() => c.frames.length === expected.length, 'every frame');
      c.frames.forEach((f, i) => {
        const seq = i < 2 * messages.length ? i + 1 : 200 + i - 2 * messages.length;
        expect([f.seq, f.payload.length]).toEqual([seq, expected[i].length]);
        expect(f.payload.equals(expected[i]), `frame ${i} bytes`).toBe(true);
      });
    });

    it('delivers 100 frames written in one write, in order', async () => {
      const s = await server();
      const c = await client(s.port);
      const all = Buffer.concat(Array.from({ length: 100 }, (_, i) => frame(200, i, pattern(i * 13, i))));
      await c.write(all);
      await s.rec.until(() => s.rec.frames.length === 100, '100 frames');
      s.rec.frames.forEach((f, i) => {
        expect(f.seq).toBe(i);
        expect(f.payload.equals(pattern(i * 13, i))).toBe(true);
      });
      expect(s.rec.batches).toBeLessThan(100); // delivered in batches, not one call per frame
    });

    it('hands echoes of a burst to the network in a few submits, not one per frame', async () => {
      const s = await server();
      s.rec.onFrameHook = (id, msgId, seq, payload) => s.transport.send(id, msgId, seq, payload);
      const c = await client(s.port);
      await s.rec.nextOpen();
      const before = Number(s.transport.stats().submits);
      await c.write(Buffer.concat(Array.from({ length: 100 }, (_, i) => frame(200, i, pattern(40, i)))));
      await c.until(() => c.frames.length === 100, '100 echoes');
      expect(c.frames.map((f) => f.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      const submits = Number(s.transport.stats().submits) - before;
      expect(submits).toBeGreaterThan(0);
      expect(submits).toBeLessThan(20);
    });

    it('carries a 16 MiB frame both ways when the limit is raised', async () => {
      const s = await server({ maxFrameBytes: 32 * MiB, sendHardLimit: 64 * MiB });
      const c = await client(s.port);
      const payload = pattern(16 * MiB, 16);
      await c.write(frame(300, 7, payload));
      await s.rec.until(() => s.rec.frames.length === 1, 'the 16 MiB frame', 20_000);
      expect(s.rec.frames[0].payload.equals(payload)).toBe(true);
      s.transport.send([...s.rec.opens.keys()][0], 301, 8, payload);
      await c.until(() => c.frames.length === 1, 'the 16 MiB frame back', 20_000);
      expect([c.frames[0].msgId, c.frames[0].seq]).toEqual([301, 8]);
      expect(c.frames[0].payload.equals(payload)).toBe(true);
    });

    it('accepts a frame of exactly maxFrameBytes and closes max+1 with frame_too_large, harming nothing else', async () => {
      const max = 4096;
      const s = await server({ maxFrameBytes: max });
      const good = await client(s.port);
      const bad = await client(s.port);
      const badPort = bad.socket.localPort as number;
      await s.rec.until(() => s.rec.opens.size === 2, 'two opens');
      await good.write(frame(100, 1, pattern(max - 10, 1)));
      await s.rec.until(() => s.rec.frames.length === 1, 'the max frame');
      const header = Buffer.alloc(10);
      header.writeUInt32BE(max + 1, 0);
      await bad.write(header); // only the header: the check must not wait for (or allocate) the body
      await bad.waitClosed();
      const badId = sessionOf(s, badPort);
      expect((await s.rec.closed(badId)).reason).toBe('frame_too_large');
      await good.write(frame(100, 2, pattern(max - 10, 2)));
      await s.rec.until(() => s.rec.frames.length === 2, 'the good session still works');
      expect(s.rec.frames[1].payload.equals(pattern(max - 10, 2))).toBe(true);
      expect(s.rec.closes.size).toBe(1);
    });

    it('closes a frame length below 10 with frame_invalid', async () => {
      const s = await server();
      for (const length of [0, 9]) {
        const c = await client(s.port);
        const header = Buffer.alloc(10);
        header.writeUInt32BE(length, 0);
        await c.write(header);
        await c.waitClosed();
      }
      await s.rec.until(() => s.rec.closes.size === 2, 'two closes');
      expect([...s.rec.closes.values()].map((c) => c.reason)).toEqual(['frame_invalid', 'frame_invalid']);
      expect(s.rec.frames).toEqual([]);
    });

    it('closes a frame not completed in time with frame_timeout', async () => {
      const s = await server({ frameTimeoutMs: 200 });
      const c = await client(s.port);
      const started = Date.now();
      await c.write(frame(100, 1, pattern(100, 1)).subarray(0, 15));
      await c.waitClosed(5000);
      const id = await s.rec.nextOpen();
      expect((await s.rec.closed(id)).reason).toBe('frame_timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    });

    it('reports onWritable(false) to a peer that does not read, then onWritable(true) after it reads', async () => {
      const s = await server({ sendSoftLimit: 256 * KiB, sendHardLimit: 256 * MiB });
      const c = await client(s.port, { paused: true });
      const id = await s.rec.nextOpen();
      const chunk = pattern(64 * KiB, 3);
      const blocked = (): boolean => s.rec.writable.at(-1)?.writable === false;
      let sent = 0;
      // Until blocked: with I/O threads the kernel buffers may still take bytes and flip it back once.
      while (!blocked() && sent < 128 * MiB) {
        s.transport.send(id, 100, 0, chunk);
        sent += chunk.length + 10;
        await nextTurn();
      }
      expect(blocked()).toBe(true);
      const states = s.rec.writable.map((w) => w.writable);
      expect(states.every((w, i) => w === (i % 2 === 0 ? false : true))).toBe(true); // alternating, false first
      const before = states.length;
      c.socket.resume();
      await s.rec.until(() => s.rec.writable.length > before, 'onWritable(true)');
      expect(s.rec.writable[before]).toEqual({ session: id, writable: true });
      await c.until(() => c.bytesReceived === sent, 'every byte sent');
      expect(s.rec.closes.has(id)).toBe(false);
    });

    it('stops reading a session above the soft limit until its pending bytes drain below half', async () => {
      if (impl.name === 'node') return; // node:net goes on reading: there only the hard limit applies
      const s = await server({ sendSoftLimit: 64 * KiB, sendHardLimit: 64 * MiB });
      const c = await client(s.port, { paused: true });
      const id = await s.rec.nextOpen();
      const canary = await client(s.port);
      const canaryId = await s.rec.nextOpen(1);
      // Far more than the kernel's socket buffers hold: pending stays above the soft limit.
      for (let i = 0; i < 16; i++) s.transport.send(id, 100, i, pattern(1 * MiB - 10, i));
      await s.rec.until(
        () => s.rec.writable.some((w) => w.session === id && !w.writable),
        'onWritable(false)',
      );
      let writableWhenRead: boolean | undefined;
      s.rec.onFrameHook = (session) => {
        if (session === id) writableWhenRead ??= s.rec.writable.some((w) => w.session === id && w.writable);
      };
      await c.write(frame(200, 1, pattern(100, 1)));
      // Passes of the server loop go by (the canary's frames are read) while the request is not.
      for (let seq = 1; seq <= 5; seq++) {
        await canary.write(frame(300, seq, pattern(10, seq)));
        await s.rec.until(() => s.rec.framesOf(canaryId).length === seq, `canary frame ${seq}`);
      }
      expect(s.rec.framesOf(id)).toHaveLength(0);
      c.socket.resume(); // the peer reads: pending drains below half, reading resumes
      await s.rec.until(() => s.rec.framesOf(id).length === 1, 'the request, once the backlog drained');
      expect(writableWhenRead).toBe(true);
    });

    it('closes with backpressure above the hard limit', async () => {
      const s = await server({ sendSoftLimit: 64 * KiB, sendHardLimit: 1 * MiB });
      await client(s.port, { paused: true });
      const id = await s.rec.nextOpen();
      const chunk = pattern(64 * KiB, 4);
      for (let sent = 0; !s.rec.closes.has(id) && sent < 256 * MiB; sent += chunk.length) {
        s.transport.send(id, 100, 0, chunk);
        await nextTurn();
      }
      expect((await s.rec.closed(id)).reason).toBe('backpressure');
      expect(s.rec.writable[0]).toEqual({ session: id, writable: false });
    });

    it('closes with send_stalled when bytes stay pending', async () => {
      const s = await server({ sendSoftLimit: 64 * KiB, sendHardLimit: 256 * MiB, sendStallMs: 300 });
      await client(s.port, { paused: true });
      const id = await s.rec.nextOpen();
      const chunk = pattern(1 * MiB - 10, 5);
      for (let i = 0; i < 24; i++) s.transport.send(id, 100, 0, chunk); // more than the kernel buffers hold
      expect((await s.rec.closed(id)).reason).toBe('send_stalled');
    });

    it('close() delivers the queued frames first, then closes', async () => {
      const s = await server({ sendHardLimit: 64 * MiB });
      const c = await client(s.port, { paused: true });
      const id = await s.rec.nextOpen();
      const count = 16;
      for (let i = 0; i < count; i++) s.transport.send(id, 100, i, pattern(1 * MiB - 10, i));
      s.transport.close(id, 'server_close');
      c.socket.resume();
      await c.waitClosed();
      expect(c.frames.map((f) => f.seq)).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(c.frames.every((f, i) => f.payload.equals(pattern(1 * MiB - 10, i)))).toBe(true);
      expect(c.ended).toBe(true);
      expect((await s.rec.closed(id)).reason).toBe('server_close');
    });

    it('close() delivers the queued frames even with unread input (reading paused)', async () => {
      const s = await server();
      s.rec.onOpenHook = (id) => {
        s.transport.pauseReading(id);
        s.transport.send(id, 1, 0, new Uint8Array(0));
      };
      const c = await client(s.port);
      const id = await s.rec.nextOpen();
      await c.until(() => c.frames.length === 1, 'the marker frame');
      await c.write(Buffer.concat(Array.from({ length: 20 }, (_, i) => frame(100, i, pattern(1000, i))))); // unread
      for (let i = 0; i < 8; i++) s.transport.send(id, 200, i, pattern(100_000, i));
      s.transport.close(id, 'server_close');
      await c.waitClosed();
      expect(c.error?.code, 'the peer saw a reset').toBeUndefined();
      expect(c.frames.slice(1).map((f) => f.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect((await s.rec.closed(id)).reason).toBe('server_close');
    });

    it('close() after every frame went out, with unread input, ends in FIN and not a reset', async () => {
      const s = await server();
      s.rec.onOpenHook = (id) => s.transport.pauseReading(id);
      const c = await client(s.port);
      const id = await s.rec.nextOpen();
      await c.write(Buffer.concat(Array.from({ length: 20 }, (_, i) => frame(100, i, pattern(1000, i))))); // unread
      s.transport.send(id, 200, 1, pattern(100, 1));
      await c.until(() => c.frames.length === 1, 'the frame, in an earlier turn than the close');
      s.transport.close(id, 'server_close');
      await c.waitClosed();
      expect(c.error?.code, 'the peer saw a reset').toBeUndefined();
      expect(c.ended).toBe(true);
      expect((await s.rec.closed(id)).reason).toBe('server_close');
    });

    it('abort() closes at once without waiting for queued frames', async () => {
      const s = await server({ sendHardLimit: 64 * MiB });
      const c = await client(s.port, { paused: true });
      const id = await s.rec.nextOpen();
      const count = 32;
      for (let i = 0; i < count; i++) s.transport.send(id, 100, i, pattern(1 * MiB - 10, 1));
      await nextTurn();
      s.transport.abort(id, 'kicked');
      expect((await s.rec.closed(id, 3000)).reason).toBe('kicked');
      expect(c.bytesReceived).toBe(0); // the peer never read: onClose did not wait for it
      c.socket.resume();
      await c.waitClosed();
      expect(c.bytesReceived).toBeLessThan(count * MiB);
    });

    it('pauses and resumes reading', async () => {
      const s = await server();
      // Commands of one session take effect in order: when the peer gets this frame, the pause is in force.
      s.rec.onOpenHook = (id) => {
        s.transport.pauseReading(id);
        s.transport.send(id, 1, 0, new Uint8Array(0));
      };
      const c = await client(s.port);
      const id = await s.rec.nextOpen();
      await c.until(() => c.frames.length === 1, 'the marker frame');
      await c.write(Buffer.concat([frame(100, 1, pattern(10, 1)), frame(100, 2, pattern(10, 2))]));
      // Absence can only be shown by waiting a bounded time: nothing may arrive while paused.
      await expect(s.rec.until(() => s.rec.frames.length > 0, 'a frame while paused', 300)).rejects.toThrow();
      s.transport.resumeReading(id);
      await s.rec.until(() => s.rec.frames.length === 2, 'frames after resume');
      expect(s.rec.frames.map((f) => f.seq)).toEqual([1, 2]);
    });

    it('refuses connections beyond maxConnections (connection_limit) without onOpen', async () => {
      const s = await server({ maxConnections: 2 });
      await client(s.port);
      await client(s.port);
      await s.rec.until(() => s.rec.opens.size === 2, 'two opens');
      const third = await client(s.port);
      await third.waitClosed();
      await poll(() => Number(s.transport.stats().refused) === 1, 'refused counted');
      expect(s.rec.opens.size).toBe(2);
      expect(s.rec.closes.size).toBe(0);
    });

    it('refuses connections beyond maxConnectionsPerAddress without any event', async () => {
      const s = await server({ maxConnectionsPerAddress: 2 });
      const first = await client(s.port);
      await client(s.port);
      await s.rec.until(() => s.rec.opens.size === 2, 'two opens');
      const third = await client(s.port);
      await third.waitClosed();
      await poll(() => Number(s.transport.stats().refused) === 1, 'refused counted');
      first.socket.end();
      await s.rec.until(() => s.rec.closes.size === 1, 'the first closed');
      await client(s.port);
      await s.rec.until(() => s.rec.opens.size === 3, 'a new connection accepted once below the limit');
      expect(s.transport.stats().refused).toBe(1);
    });

    it('broadcasts one frame to many sessions', async () => {
      const s = await server();
      const cs = [await client(s.port), await client(s.port), await client(s.port)];
      await s.rec.until(() => s.rec.opens.size === 3, 'three opens');
      // Sessions by client (opens may come in any order with several I/O threads).
      const ids = cs.map((c) => sessionOf(s, c));
      s.transport.broadcast(ids, 150, 0, pattern(5000, 9));
      s.transport.broadcast(ids.slice(1), 151, 0, pattern(0, 0));
      const want = [[150], [150, 151], [150, 151]];
      await Promise.all(
        cs.map((c, i) => c.until(() => c.frames.length === want[i].length, `broadcast to ${i}`)),
      );
      expect(cs.map((c) => c.frames.map((f) => f.msgId))).toEqual(want);
      for (const c of cs) expect(c.frames[0].payload.equals(pattern(5000, 9))).toBe(true);
    });

    it('broadcasts big frames between sends, each member in its own order, every byte counted', async () => {
      const s = await server();
      const cs = await Promise.all(Array.from({ length: 4 }, () => client(s.port)));
      await s.rec.until(() => s.rec.opens.size === 4, 'four opens');
      const ids = cs.map((c) => sessionOf(s, c));
      const big = pattern(200_000, 5); // larger than a send block or a uring send slice
      ids.forEach((id, i) => s.transport.send(id, 160, i, pattern(100 + i, i)));
      s.transport.broadcast(ids, 161, 1, big);
      s.transport.send(ids[2], 162, 2, pattern(7, 2));
      s.transport.broadcast(ids.slice(0, 3), 163, 3, pattern(40_000, 6));
      const want = ids.map((_, i) => (i === 2 ? [160, 161, 162, 163] : i < 3 ? [160, 161, 163] : [160, 161]));
      await Promise.all(
        cs.map((c, i) => c.until(() => c.frames.length === want[i].length, `frames of member ${i}`)),
      );
      expect(cs.map((c) => c.frames.map((f) => f.msgId))).toEqual(want);
      for (const c of cs) expect(c.frames[1].payload.equals(big)).toBe(true);
      for (const c of cs.slice(0, 3)) expect(c.frames.at(-1)!.payload.equals(pattern(40_000, 6))).toBe(true);
      const wire = (n: number): number => 10 + n;
      const total =
        [100, 101, 102, 103].reduce((sum, n) => sum + wire(n), 0) +
        4 * wire(200_000) +
        wire(7) +
        3 * wire(40_000);
      // Counters change without an event (with I/O threads, after the last frame's): polled.
      await poll(
        () => s.transport.stats().bytesOut === total && s.transport.stats().sendBytesPending === 0,
        'every byte sent, none pending',
      );
    });

    it('keeps each session in order with many sessions sending at once', async () => {
      const s = await server();
      s.rec.onFrameHook = (id, msgId, seq, payload) => s.transport.send(id, msgId, seq, payload); // echo
      const count = 300;
      const cs = await Promise.all(Array.from({ length: 12 }, () => client(s.port)));
      await Promise.all(
        cs.map((c, k) => {
          const stream = Buffer.concat(
            Array.from({ length: count }, (_, i) => frame(100 + k, i, pattern(i % 200, k))),
          );
          let n = k;
          return c.writeInPieces(stream, () => 1 + ((n++ * 4099) % 3000));
        }),
      );
      await Promise.all(cs.map((c) => c.until(() => c.frames.length === count, 'all echoes')));
      cs.forEach((c, k) =>
        c.frames.forEach((f, i) => {
          expect([f.msgId, f.seq]).toEqual([100 + k, i]);
          expect(f.payload.equals(pattern(i % 200, k))).toBe(true);
        }),
      );
    });

    it('drops and counts sends to a closed session; refuses a frame above maxFrameBytes', async () => {
      const s = await server({ maxFrameBytes: 1000 });
      const c = await client(s.port);
      const id = await s.rec.nextOpen();
      expect(() => s.transport.send(id, 100, 0, new Uint8Array(991))).toThrow(/exceeds maxFrameBytes 1000/);
      c.socket.end();
      await s.rec.closed(id);
      const before = Number(s.transport.stats().sendsDropped);
      s.transport.send(id, 100, 0, new Uint8Array(4));
      s.transport.flush();
      await poll(() => Number(s.transport.stats().sendsDropped) === before + 1, 'sendsDropped + 1');
    });

    it('goes on after a handler throws', async () => {
      const s = await server();
      let thrown = 0;
      s.rec.onFrameHook = (_id, _msgId, seq) => {
        if (seq === 1) {
          thrown++;
          throw new Error('handler failure (expected by the test)');
        }
      };
      const quiet = console.error;
      console.error = () => undefined;
      try {
        const c = await client(s.port);
        await c.write(Buffer.concat([frame(100, 1, pattern(5, 1)), frame(100, 2, pattern(5, 2))]));
        await s.rec.until(() => s.rec.frames.length === 2, 'both frames');
      } finally {
        console.error = quiet;
      }
      expect(thrown).toBe(1);
      expect(s.rec.closes.size).toBe(0);
    });

    it('stops accepting after unlisten and keeps the open sessions', async () => {
      const s = await server();
      const c = await client(s.port);
      const id = await s.rec.nextOpen();
      s.transport.unlisten(s.listener);
      // Refused, or reset when the engine closes the listening socket a moment later: never accepted.
      const late = await RawClient.connect(s.port).catch((err: NodeJS.ErrnoException) => err.code);
      if (late instanceof RawClient) {
        clients.push(late);
        await late.waitClosed();
      } else {
        expect(['ECONNREFUSED', 'ECONNRESET']).toContain(late);
      }
      s.transport.send(id, 100, 5, pattern(10, 5));
      await c.until(() => c.frames.length === 1, 'a frame on the open session');
      expect(s.rec.opens.size).toBe(1);
    });

    it('counts frames, bytes and sessions (docs/boundary.md counters)', async () => {
      const s = await server();
      const c = await client(s.port);
      const id = await s.rec.nextOpen();
      const inbound = [
        frame(100, 1, pattern(0, 1)),
        frame(100, 2, pattern(100, 2)),
        frame(100, 3, pattern(5000, 3)),
      ];
      await c.write(Buffer.concat(inbound));
      await s.rec.until(() => s.rec.frames.length === 3, 'three frames');
      s.transport.send(id, 101, 1, pattern(10, 1));
      s.transport.send(id, 101, 2, pattern(20, 2));
      await c.until(() => c.frames.length === 2, 'two frames back');
      const counters = [
        'accepted',
        'connected',
        'closed',
        'sessions',
        'framesIn',
        'framesOut',
        'bytesIn',
        'bytesOut',
      ];
      const more = [
        'batches',
        'submits',
        'wakeups',
        'syscalls',
        'recvBuffersHeld',
        'sendBytesPending',
        'sendsDropped',
      ];
      const stats = s.transport.stats();
      for (const name of [...counters, ...more, 'acceptPaused', 'refused']) {
        expect(typeof stats[name], `counter ${name}`).toBe('number');
      }
      await poll(
        () => s.transport.stats().bytesOut === 50 && s.transport.stats().sendBytesPending === 0,
        'bytesOut 50 (two frames with headers)',
        5000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; stats ${JSON.stringify(s.transport.stats())}`);
      });
      const after = s.transport.stats();
      expect(counters.map((name) => [name, after[name]])).toEqual([
        ['accepted', 1],
        ['connected', 0],
        ['closed', 0],
        ['sessions', 1],
        ['framesIn', 3],
        ['framesOut', 2],
        ['bytesIn', inbound.reduce((sum, f) => sum + f.length, 0)],
        ['bytesOut', 50],
      ]);
    });

    it('holds a receive buffer only while a frame is incomplete', async () => {
      const s = await server();
      const c = await client(s.port);
      const id = await s.rec.nextOpen();
      const whole = frame(100, 1, pattern(3000, 1));
      await c.write(whole.subarray(0, 1500));
      await poll(() => s.transport.stats().recvBuffersHeld === 1, 'one buffer held for the partial frame');
      await c.write(whole.subarray(1500));
      await s.rec.until(() => s.rec.frames.length === 1, 'the completed frame');
      await poll(() => s.transport.stats().recvBuffersHeld === 0, 'no buffer held by the idle session');
      expect(s.rec.framesOf(id)[0].payload.equals(pattern(3000, 1))).toBe(true);
    });

    it('reports peer_closed when the peer closes, exactly once', async () => {
      const s = await server();
      const c = await client(s.port);
      const id = await s.rec.nextOpen();
      c.socket.end();
      expect((await s.rec.closed(id)).reason).toBe('peer_closed');
    });

    it('answers a peer that shut its sending side, then closes peer_closed once the replies are out', async () => {
      const s = await server();
      s.rec.onFrameHook = (session, msgId, seq, payload) =>
        s.transport.send(session, msgId + 1, seq, payload);
      const c = await client(s.port);
      const id = await s.rec.nextOpen();
      await c.write(Buffer.concat([1, 2, 3].map((seq) => frame(100, seq, pattern(seq * 100, seq)))));
      c.socket.end(); // shutdown(SHUT_WR) after the requests, as simple clients do
      await c.until(() => c.ended, 'FIN from the server');
      expect(c.frames.map((f) => [f.msgId, f.seq, f.payload.length])).toEqual([
        [101, 1, 100],
        [101, 2, 200],
        [101, 3, 300],
      ]);
      expect((await s.rec.closed(id)).reason).toBe('peer_closed');
    });

    it('fails to listen on a port another listener holds with Address already in use', async () => {
      const s = await server();
      const second = impl.create();
      extra.push(second);
      second.setHandler(new Recorder());
      await expect(second.listen('127.0.0.1', s.port)).rejects.toThrow(/address already in use/i);
      const c = await client(s.port); // the first listener still gets the connections
      await s.rec.nextOpen();
      expect(c.closed).toBe(false);
    });

    it('shares a port with another transport when both ask for reusePort', async () => {
      if (impl.name === 'node') return; // node:net of Node 20 has no reusePort: the option is ignored there
      const s = await server({ reusePort: true });
      const second = impl.create({ reusePort: true });
      extra.push(second);
      second.setHandler(new Recorder());
      await expect(second.listen('127.0.0.1', s.port)).resolves.toMatchObject({ port: s.port });
    });

    it('connects as a client to a server transport and exchanges frames both ways', async () => {
      const s = await server();
      const a = impl.create();
      extra.push(a);
      const rec = new Recorder();
      a.setHandler(rec);
      const out = a.connect('127.0.0.1', s.port, 5000);
      a.send(out, 100, 0, pattern(0, 0)); // queued while connecting: goes out once connected
      await rec.until(() => rec.opens.has(out), 'outbound open');
      expect(rec.opens.get(out)?.listener).toBe(0);
      expect(rec.opens.get(out)?.remote).toBe(`127.0.0.1:${s.port}`);
      const inbound = await s.rec.nextOpen();
      for (let i = 1; i < 50; i++) a.send(out, 100, i, pattern(i * 100, i));
      for (let i = 0; i < 50; i++) s.transport.send(inbound, 101, i, pattern(i * 50, i));
      await rec.until(() => rec.frames.length === 50, 'frames at the client');
      await s.rec.until(() => s.rec.frames.length === 50, 'frames at the server');
      expect(
        rec.frames.every((f, i) => f.msgId === 101 && f.seq === i && f.payload.equals(pattern(i * 50, i))),
      ).toBe(true);
      expect(
        s.rec.frames.every((f, i) => f.msgId === 100 && f.seq === i && f.payload.equals(pattern(i * 100, i))),
      ).toBe(true);
      a.close(out, 'server_close');
      expect((await rec.closed(out)).reason).toBe('server_close');
      expect((await s.rec.closed(inbound)).reason).toBe('peer_closed');
      expect(rec.violations).toEqual([]);
    });

    it('reports connect_refused (with its errno) for a refused connect', async () => {
      const s = await server();
      const port = s.port;
      s.transport.unlisten(s.listener);
      const a = impl.create();
      extra.push(a);
      const rec = new Recorder();
      a.setHandler(rec);
      const id = a.connect('127.0.0.1', port, 5000);
      expect(await rec.closed(id)).toEqual({ reason: 'connect_refused', errno: 111 }); // ECONNREFUSED
      expect(rec.opens.size).toBe(0);
    });

    it('reports dns_failed for a host name that does not resolve', async () => {
      const a = impl.create();
      extra.push(a);
      const rec = new Recorder();
      a.setHandler(rec);
      const id = a.connect('no-such-host.invalid', 7, 5000); // .invalid never resolves (RFC 6761)
      expect((await rec.closed(id)).reason).toBe('dns_failed');
      expect(rec.opens.size).toBe(0);
    });

    it('reports connect_timeout when a connect does not complete in time', async () => {
      const stalled = await stalledListener();
      try {
        const a = impl.create();
        extra.push(a);
        const rec = new Recorder();
        a.setHandler(rec);
        const started = Date.now();
        const id = a.connect('127.0.0.1', stalled.port, 300);
        expect((await rec.closed(id, 5000)).reason).toBe('connect_timeout');
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        expect(rec.opens.size).toBe(0);
      } finally {
        await stalled.close();
      }
    });

    it('survives 10,000 open/close cycles with fds and counters back to baseline', async () => {
      const s = await server();
      s.rec.keepFrames = false;
      // Half of the sessions are closed by the server, half by the peer.
      s.rec.onOpenHook = (id) => {
        if (id % 2 === 0) s.transport.close(id, 'server_close');
      };
      const baselineFds = openFdCount();
      const total = 10_000;
      const parallel = 50;
      let started = 0;
      const worker = async (): Promise<void> => {
        while (started < total) {
          started++;
          const c = await RawClient.connect(s.port);
          await c.write(frame(100, 1, pattern(20, 1)));
          c.socket.end();
          await c.waitClosed();
        }
      };
      await Promise.all(Array.from({ length: parallel }, worker));
      await s.rec.until(() => s.rec.closes.size === total, `${total} closes`, 30_000);
      expect(s.rec.opens.size).toBe(total);
      const stats = s.transport.stats();
      expect(stats.sessions).toBe(0);
      expect(stats.recvBuffersHeld).toBe(0);
      expect(stats.sendBytesPending).toBe(0);
      expect(openFdCount()).toBeLessThanOrEqual(baselineFds);
      const reasons = new Set([...s.rec.closes.values()].map((c) => c.reason));
      for (const r of reasons) expect(['server_close', 'peer_closed', 'reset']).toContain(r);
    }, 90_000);

    it('shutdown closes every session with reason shutdown', async () => {
      const s = await server();
      await client(s.port);
      await client(s.port);
      await s.rec.until(() => s.rec.opens.size === 2, 'two opens');
      await s.transport.shutdown();
      expect([...s.rec.closes.values()].map((c) => c.reason)).toEqual(['shutdown', 'shutdown']);
    });
  },
);

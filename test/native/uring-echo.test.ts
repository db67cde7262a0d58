/**
 * The io_uring engine through the addon: probe, echo of mixed frame sizes from many clients in inline mode
 * and with ioThreads: 2 (every byte back intact and in order), outbound connect, exactly one CLOSE each.
 */
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { frame } from '../transport/helpers/raw-client';
import { binding, echoRoundTrip, EngineHarness, type SessionLog } from './uring-harness';

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.shutdown();
});

function start(options: Record<string, unknown>, echo = true): EngineHarness {
  const h = new EngineHarness(options, echo);
  harnesses.push(h);
  return h;
}

describe('uring engine', () => {
  it('is compiled in and io_uring works on this machine', () => {
    expect(binding.engines()).toContain('uring');
    expect(binding.probeUring()).toBe('');
  });

  for (const ioThreads of [0, 2]) {
    it(`echoes mixed frames intact and in order (ioThreads ${ioThreads})`, async () => {
      const h = start({ ioThreads });
      const port = h.listen();
      const peers = await echoRoundTrip(port, 8, 300, 40_000); // payloads up to 40 KB span several slices
      const stats = h.stats();
      expect(stats.framesIn).toBe(8 * 300);
      expect(stats.accepted).toBe(8);
      expect(stats.uringCqes).toBeGreaterThan(0);
      for (const p of peers) p.destroy();
      await h.until(() => h.opened().every((s) => s.closes.length === 1), 'CLOSE for every session');
      for (const s of h.opened()) {
        expect(s.closes).toEqual([{ reason: 'peer_closed', errno: 0 }]);
        expect(s.eventsAfterClose).toBe(0);
      }
      await h.untilStats((st) => st.uringSendSlicesInUse === 0, 'all send slices back');
      expect(h.stats()).toMatchObject({ sessions: 0, recvBuffersHeld: 0, sendBytesPending: 0 });
    });
  }

  it('connects out: OPEN with listener 0, frames both ways, connect_refused for a closed port', async () => {
    const expected = frame(300, 1, Buffer.from('queued before OPEN'));
    const received: Buffer[] = [];
    let gotAll: () => void = () => undefined;
    const allReceived = new Promise<void>((r) => (gotAll = r));
    const server = net.createServer((sock) => {
      sock.on('data', (d) => {
        received.push(d);
        if (Buffer.concat(received).length >= expected.length) gotAll();
      });
      sock.write(frame(200, 7, Buffer.from('welcome')));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const h = start({}, false);
      const id = h.engine.connect('127.0.0.1', port, 2000);
      h.send(id, expected);
      await h.until(() => (h.sessions.get(id)?.frames.length ?? 0) === 1, 'the welcome frame');
      const log = h.sessions.get(id)!;
      expect(log.listenerId).toBe(0);
      expect(log.remote).toBe(`127.0.0.1:${port}`);
      expect(log.frames[0]).toMatchObject({ msgId: 200, seq: 7 });
      expect(log.frames[0].payload.toString()).toBe('welcome');
      await allReceived;
      expect(Buffer.concat(received).equals(expected)).toBe(true);
      expect(h.stats().connected).toBe(1);

      const closedPort = await new Promise<number>((r) => {
        const probe = net.createServer();
        probe.listen(0, '127.0.0.1', () => {
          const p = (probe.address() as net.AddressInfo).port;
          probe.close(() => r(p));
        });
      });
      const failed = h.engine.connect('127.0.0.1', closedPort, 2000);
      await h.until(() => (h.sessions.get(failed)?.closes.length ?? 0) > 0, 'connect_refused');
      expect(h.sessions.get(failed)!.closes).toEqual([{ reason: 'connect_refused', errno: 111 }]);
    } finally {
      server.close();
    }
  });

  it('hands whole frames of a received buffer to JS as one FRAMES record, also after a frame split across reads', async () => {
    const h = start({}, false);
    const port = h.listen();
    const peer = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => peer.once('connect', () => r()));
    const frames = Array.from({ length: 9 }, (_, i) => frame(100 + i, i + 1, Buffer.alloc(700 + i, i + 1)));
    peer.write(Buffer.concat(frames.slice(0, 5)));
    const session = (): SessionLog | undefined => h.opened()[0];
    await h.until(() => session()?.frames.length === 5, 'the first 5 frames');
    expect(h.framesRecords).toBeGreaterThan(0);
    const recordsBefore = h.framesRecords;
    // Frame 6 split across two reads: its end goes through the parser, the 3 whole frames behind it to the batch.
    peer.write(frames[5].subarray(0, 300));
    await h.untilStats((st) => st.recvBuffersHeld === 1, 'the first part of frame 6 held');
    peer.write(Buffer.concat([frames[5].subarray(300), ...frames.slice(6)]));
    await h.until(() => session()?.frames.length === 9, 'all 9 frames');
    expect(h.framesRecords).toBeGreaterThan(recordsBefore);
    expect(session()!.frames.map((f) => frame(f.msgId, f.seq, f.payload))).toEqual(frames);
    expect(h.stats()).toMatchObject({ framesIn: 9, recvBuffersHeld: 0 });
    peer.destroy();
  });
});

/**
 * The fault case table (docs/architecture.md, "Limits"): each case attacks one running server through real sockets and
 * names the close reason(s) its attacker sessions must end with. faults.test.ts runs every case on every
 * engine and adds the common checks (one close per session, canary unaffected, back to baseline).
 */
import { expect, vi } from 'vitest';
import type { RequestError } from '../../framework/client/game-client';
import { ErrorMessage, Ping, Welcome } from '../../framework/protocol/framework-messages';
import type { CloseReason } from '../../framework/transport/close-reason';
import { EchoReq, FailReq, Note, NotesReq, WaitReq } from '../framework/support/messages';
import { frame, type RawClient } from '../transport/helpers/raw-client';
import type { FaultWorld, WorldOptions } from './support/fault-server';
import { echoPayloadOfFrame, header, helloFrame, Peers } from './support/peers';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface FaultCase {
  name: string;
  world?: WorldOptions;
  /** The reasons an attacker session may close with (each closes exactly once). */
  reasons: CloseReason[];
  /** Replaces `reasons` on the node engine, where node:net cannot tell some events apart. */
  nodeReasons?: CloseReason[];
  /** Attacker sessions the server must have seen (default 1; 'any' when it varies). */
  sessions?: number | 'any';
  run(world: FaultWorld, peers: Peers): Promise<void>;
}

/** Error frames (decoded) a raw client received. */
function errorsOf(c: RawClient): { code: string; messageId: number }[] {
  return c.frames.filter((f) => f.msgId === ErrorMessage.id).map((f) => ErrorMessage.decode(f.payload));
}

async function closedWithin(c: RawClient, what: string, timeoutMs = 5000): Promise<void> {
  await c.until(() => c.closed || c.ended, what, timeoutMs);
}

/** Polls `check` every 10 ms (for counters, which raise no event); rejects naming `what` after `timeoutMs`. */
function pollUntil(check: () => boolean, what: string, timeout = 5000): Promise<void> {
  return vi.waitFor(
    () => {
      if (!check()) throw new Error(`still waiting for ${what}`);
    },
    { timeout, interval: 10 },
  );
}

/**
 * Writes EchoReqs with `textBytes` of text, one per event-loop turn (so the server's pending bytes grow a
 * reply at a time), until the server closes or `stop()` holds; at most `max` requests.
 */
async function requestUntil(
  c: RawClient,
  textBytes: number,
  max: number,
  stop: () => boolean,
): Promise<void> {
  const payload = EchoReq.encode({ text: 'y'.repeat(textBytes), delayMs: 0 });
  for (let i = 0; i < max && !c.closed && !stop(); i++) {
    await c.write(frame(EchoReq.id, 100 + i, payload)).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const onlyAttacker = (w: FaultWorld): number => w.attackers()[0]?.session ?? -1;
const isClosed = (w: FaultWorld): boolean => (w.attackers()[0]?.reasons.length ?? 0) > 0;

export const faultCases: FaultCase[] = [
  {
    name: 'oversized length header closes frame_too_large without allocating',
    reasons: ['frame_too_large'],
    async run(w, peers) {
      const rssBefore = process.memoryUsage().rss;
      const c = await peers.handshaken();
      await c.write(Buffer.concat([header(0xfffffff0), Buffer.alloc(64, 1)]));
      await closedWithin(c, 'close after a 4 GiB header');
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * MiB);
      expect(w.counter('recvBuffersHeld')).toBe(w.baseline.recvBuffersHeld);
    },
  },
  {
    name: 'a frame of exactly maxFrameBytes is handled',
    reasons: ['peer_closed'],
    async run(w, peers) {
      const c = await peers.handshaken();
      const payload = echoPayloadOfFrame(64 * KiB);
      await c.write(frame(EchoReq.id, 7, payload));
      await c.until(() => c.frames.some((f) => f.seq === 7), 'the echo of a max-size frame');
      const res = c.frames.find((f) => f.seq === 7)!;
      expect(res.msgId).toBe(EchoReq.response.id);
      expect(EchoReq.response.decode(res.payload).text.length).toBe(64 * KiB - 10 - 23);
      c.socket.end();
      await closedWithin(c, 'close after FIN');
    },
  },
  {
    name: 'a frame of maxFrameBytes + 1 closes frame_too_large',
    reasons: ['frame_too_large'],
    async run(_w, peers) {
      const c = await peers.handshaken();
      await c.write(frame(EchoReq.id, 7, echoPayloadOfFrame(64 * KiB + 1)));
      await closedWithin(c, 'close after max+1');
      expect(c.frames.some((f) => f.seq === 7)).toBe(false);
    },
  },
  {
    name: 'a frame length below the header size closes frame_invalid',
    reasons: ['frame_invalid'],
    async run(_w, peers) {
      const c = await peers.handshaken();
      await c.write(Buffer.concat([header(5), Buffer.alloc(8)]));
      await closedWithin(c, 'close after length 5');
    },
  },
  {
    // The held-buffer gauge once stayed one too high after this exact sequence (a bad header that arrived in
    // two pieces); the suite checks recvBuffersHeld is back to baseline after every case.
    name: 'two header bytes, then the rest of a header giving length 5, closes frame_invalid',
    reasons: ['frame_invalid'],
    async run(w, peers) {
      const c = await peers.handshaken();
      const bad = Buffer.concat([header(5), Buffer.alloc(8)]);
      await c.write(bad.subarray(0, 2));
      // Native engines keep the two bytes (node's framer counts a frame only once its header is whole).
      if (w.engine !== 'node') {
        await pollUntil(() => w.counter('recvBuffersHeld') > w.baseline.recvBuffersHeld, 'a held buffer');
      }
      await c.write(bad.subarray(2));
      await closedWithin(c, 'close after length 5');
    },
  },
  {
    name: 'a truncated frame then FIN closes peer_closed',
    reasons: ['peer_closed'],
    async run(w, peers) {
      const c = await peers.handshaken();
      await c.write(Buffer.concat([header(100, EchoReq.id), Buffer.alloc(20, 32)]));
      await pollUntil(() => w.counter('recvBuffersHeld') > w.baseline.recvBuffersHeld, 'a held buffer');
      c.socket.end();
      await closedWithin(c, 'close after FIN');
    },
  },
  {
    name: 'a truncated frame then RST closes reset',
    reasons: ['reset'],
    // node:net reports an RST after the data was read as a plain EOF ('end'), so node sees peer_closed.
    nodeReasons: ['peer_closed'],
    async run(w, peers) {
      const c = await peers.handshaken();
      await c.write(Buffer.concat([header(100, EchoReq.id), Buffer.alloc(20, 32)]));
      c.socket.resetAndDestroy();
      await w.log.until(() => isClosed(w), 'the server-side close');
    },
  },
  {
    // The port also serves WebSocket: a GET that is not an upgrade gets an HTTP error reply, then the close.
    name: 'a plain HTTP request instead of Hello gets an HTTP error reply, then server_close',
    reasons: ['server_close'],
    async run(_w, peers) {
      const c = await peers.raw();
      await c.write(Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      await closedWithin(c, 'close after the HTTP reply');
      expect(c.bytesReceived).toBeGreaterThan(0);
    },
  },
  {
    name: 'a well-formed frame that is not Hello gets BAD_HANDSHAKE, then protocol_error',
    reasons: ['protocol_error'],
    async run(_w, peers) {
      const c = await peers.raw();
      await c.write(frame(777, 3, Buffer.from('garbage!')));
      await closedWithin(c, 'close after a non-Hello first frame');
      expect(errorsOf(c).map((e) => e.code)).toEqual(['BAD_HANDSHAKE']);
    },
  },
  {
    name: 'a wrong protocol version gets VERSION_MISMATCH, then protocol_error',
    reasons: ['protocol_error'],
    async run(_w, peers) {
      const error = (await peers.client({ protocolVersion: 99 }).catch((e: unknown) => e)) as RequestError;
      expect(error.code).toBe('VERSION_MISMATCH');
    },
  },
  {
    name: 'unknown message ids get UNKNOWN_MESSAGE each, then protocol_error at the strike limit',
    reasons: ['protocol_error'],
    async run(_w, peers) {
      const c = await peers.handshaken();
      for (let i = 0; i < 3; i++) await c.write(frame(999, 10 + i, Buffer.alloc(4)));
      await closedWithin(c, 'close after 3 unknown ids');
      expect(errorsOf(c)).toEqual(
        Array(3).fill({ code: 'UNKNOWN_MESSAGE', messageId: 999, message: expect.any(String) }),
      );
    },
  },
  {
    name: 'malformed protobuf (Ping) gets BAD_PAYLOAD, then protocol_error',
    reasons: ['protocol_error'],
    async run(_w, peers) {
      const c = await peers.handshaken();
      await c.write(frame(Ping.id, 5, Buffer.from([0x08, 0xff, 0xff])));
      await closedWithin(c, 'close after a bad Ping');
      expect(errorsOf(c).map((e) => e.code)).toEqual(['BAD_PAYLOAD']);
    },
  },
  {
    name: 'an undecodable application payload gets BAD_PAYLOAD, then protocol_error',
    reasons: ['protocol_error'],
    async run(_w, peers) {
      const c = await peers.handshaken();
      await c.write(frame(EchoReq.id, 5, Buffer.from('{not json')));
      await closedWithin(c, 'close after a bad payload');
      expect(errorsOf(c).map((e) => e.code)).toEqual(['BAD_PAYLOAD']);
    },
  },
  {
    name: 'slowloris (a byte per 40 ms) closes frame_timeout',
    reasons: ['frame_timeout'],
    async run(_w, peers) {
      const c = await peers.handshaken();
      const bytes = frame(EchoReq.id, 9, EchoReq.encode({ text: 's'.repeat(80), delayMs: 0 }));
      const started = Date.now();
      for (let i = 0; i < bytes.length && !c.closed; i++) {
        await c.write(bytes.subarray(i, i + 1)).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      await closedWithin(c, 'close of a slow frame');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(c.frames.some((f) => f.seq === 9)).toBe(false);
    },
  },
  {
    name: 'a silent connection closes handshake_timeout',
    reasons: ['handshake_timeout'],
    async run(_w, peers) {
      const started = Date.now();
      const c = await peers.raw();
      await closedWithin(c, 'close of a silent connection');
      expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    },
  },
  {
    name: 'an idle client without heartbeats closes idle_timeout',
    reasons: ['idle_timeout'],
    async run(_w, peers) {
      const c = await peers.client({ heartbeat: false });
      const started = Date.now();
      await c.whenClosed();
      expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    },
  },
  {
    name: 'an idle client with heartbeats stays open past twice the idle timeout',
    reasons: ['peer_closed'],
    async run(w, peers) {
      const c = await peers.client({ heartbeat: true });
      // Asserting that nothing happens takes a wait: twice idleTimeoutMs (800 ms).
      await new Promise((resolve) => setTimeout(resolve, 1700));
      expect(c.connected).toBe(true);
      expect(w.attackers()[0].reasons).toEqual([]);
      await c.close();
    },
  },
  {
    // Engines on the native session core stop reading a session above the soft limit (no new requests taken) until it drains
    // below half: it closes send_stalled, or backpressure when requests read before answer past the hard
    // limit. node:net goes on reading, so there the hard limit closes it.
    name: 'a client that never reads: not writable (soft limit), then send_stalled or backpressure',
    reasons: ['send_stalled', 'backpressure'],
    nodeReasons: ['backpressure'],
    async run(w, peers) {
      const c = await peers.handshaken({ paused: true });
      await requestUntil(c, 30 * KiB, 1000, () => isClosed(w));
      await w.log.until(() => isClosed(w), 'the backpressure close');
      expect(w.log.notWritable.has(onlyAttacker(w))).toBe(true);
    },
  },
  {
    name: 'a client that never reads under the hard limit closes send_stalled',
    // Idle timeout above the stall deadline: the client stops sending once the server reports not writable.
    world: {
      transport: { sendHardLimit: 64 * MiB },
      session: { idleTimeoutMs: 5000, heartbeatIntervalMs: 1000 },
    },
    reasons: ['send_stalled'],
    async run(w, peers) {
      const c = await peers.handshaken({ paused: true });
      // Request while the session is writable; once the kernel's buffers are full the soft signal stays on
      // (an engine may report it briefly before the kernel took the bytes: then writing resumes).
      const payload = EchoReq.encode({ text: 'y'.repeat(30 * KiB), delayMs: 0 });
      for (let i = 0; i < 2000 && !isClosed(w);) {
        if (w.log.blockedNow.has(onlyAttacker(w))) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        await c.write(frame(EchoReq.id, 100 + i++, payload)).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await w.log.until(() => isClosed(w), 'the send_stalled close', 5000);
      expect(w.log.notWritable.has(onlyAttacker(w))).toBe(true);
    },
  },
  {
    name: 'a ping flood that never reads closes backpressure or send_stalled (rate limit off)',
    // A longer frame deadline and idle deadline: the test process (server, attacker and canary on one loop)
    // is busy here, and the canary's heartbeats can wait longer than the default 800 ms (as in the reset storm).
    world: {
      session: { rateLimit: false, idleTimeoutMs: 5000, heartbeatIntervalMs: 1000 },
      transport: { frameTimeoutMs: 3000 },
    },
    reasons: ['backpressure', 'send_stalled'],
    nodeReasons: ['backpressure'],
    async run(w, peers) {
      const c = await peers.handshaken({ paused: true });
      const ping = frame(Ping.id, 0, Ping.encode({ timestampMs: 1, nonce: 7 }));
      const batch = Buffer.concat(Array<Buffer>(4096).fill(ping));
      for (let i = 0; i < 400 && !isClosed(w) && !c.closed; i++) await c.write(batch).catch(() => undefined);
      await w.log.until(() => isClosed(w), 'the backpressure close');
    },
  },
  {
    name: 'a fast client overflowing a stuck mailbox closes mailbox_overflow',
    reasons: ['mailbox_overflow'],
    async run(w, peers) {
      const c = await peers.handshaken();
      const notes = Array.from({ length: 200 }, (_, n) => frame(Note.id, 0, Note.encode({ n, delayMs: 0 })));
      await c.write(Buffer.concat([frame(WaitReq.id, 3, WaitReq.encode({ gate: 'stuck' })), ...notes]));
      await closedWithin(c, 'the mailbox_overflow close');
      w.gates.open('stuck');
    },
  },
  {
    name: 'a fast client into a small mailbox: reading pauses and resumes, order kept',
    reasons: ['peer_closed'],
    async run(w, peers) {
      const c = await peers.client();
      const count = 600;
      for (let n = 0; n < count; n++) c.send(Note, { n, delayMs: 0 });
      const { notes } = await c.request(NotesReq, {});
      expect(notes).toEqual(Array.from({ length: count }, (_, n) => n));
      // The mailbox (capacity 64) filled: reading paused, and resumed as often once it drained.
      const pauses = w.log.pauses.get(onlyAttacker(w)) ?? { paused: 0, resumed: 0 };
      expect(pauses.paused).toBeGreaterThan(0);
      expect(pauses.resumed).toBe(pauses.paused);
      await c.close();
    },
  },
  {
    name: 'a throwing handler gets HANDLER_ERROR and the session goes on',
    reasons: ['peer_closed'],
    async run(_w, peers) {
      const c = await peers.client();
      const error = (await c.request(FailReq, { mode: 'plain' }).catch((e: unknown) => e)) as RequestError;
      expect(error.code).toBe('HANDLER_ERROR');
      expect(error.message).not.toContain('internal detail');
      expect(await c.request(EchoReq, { text: 'after', delayMs: 0 })).toMatchObject({ text: 'after' });
      await c.close();
    },
  },
  {
    name: 'a hanging handler gets HANDLER_TIMEOUT, then server_close (turn timeout)',
    world: { session: { handlerTimeoutMs: 300 } },
    reasons: ['server_close'],
    async run(w, peers) {
      const c = await peers.client();
      const error = (await c.request(WaitReq, { gate: 'hang' }).catch((e: unknown) => e)) as RequestError;
      expect(error.code).toBe('HANDLER_TIMEOUT');
      await c.whenClosed();
      w.gates.open('hang'); // the late result is dropped
    },
  },
  {
    name: 'a connection flood beyond maxConnections is refused at once, the rest served',
    world: { transport: { maxConnections: 5 } },
    reasons: ['peer_closed', 'reset', 'handshake_timeout'],
    sessions: 'any',
    async run(w, peers) {
      const refusedBefore = w.counter('refused');
      const flood = 40;
      const sockets = await Promise.all(Array.from({ length: flood }, () => peers.raw().catch(() => null)));
      // A refusal is a counter, not an event: polled.
      await vi.waitFor(
        () =>
          expect(w.counter('refused') - refusedBefore + w.attackers().length).toBeGreaterThanOrEqual(flood),
        { timeout: 5000, interval: 5 },
      );
      expect(w.attackers().length).toBeLessThanOrEqual(4);
      expect(w.counter('refused') - refusedBefore).toBeGreaterThanOrEqual(
        flood - 4 - sockets.filter((s) => !s).length,
      );
    },
  },
];

/** Resets in the middle of receiving (half a frame) or sending (a 30 KiB reply), `iterations` times. */
export function resetCase(iterations: number): FaultCase {
  return {
    name: `peer reset mid-receive and mid-send (${iterations} iterations)`,
    reasons: ['reset', 'peer_closed'],
    sessions: iterations,
    // The storm (16 sockets at a time) runs on the test process's loop, next to the server and the canary:
    // the idle deadline sits above any stall.
    world: { session: { idleTimeoutMs: 10_000, heartbeatIntervalMs: 2000 } },
    async run(w) {
      const peers = new Peers(w.port);
      const big = frame(EchoReq.id, 2, EchoReq.encode({ text: 'z'.repeat(30 * KiB), delayMs: 0 }));
      const half = big.subarray(0, big.length >> 1);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < iterations) {
          const i = next++;
          const c = await peers.raw();
          const hello = helloFrame();
          if (i % 2 === 0) {
            await c.write(Buffer.concat([hello, half]));
          } else {
            await c.write(Buffer.concat([hello, big]));
            await c.until(() => c.frames.some((f) => f.msgId === Welcome.id), 'Welcome', 5000);
          }
          c.socket.resetAndDestroy();
          await c.waitClosed(5000);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      await w.log.until(
        () => w.attackers().length === iterations && w.attackers().every((l) => l.reasons.length > 0),
        `${iterations} closes`,
        30_000,
      );
      await peers.closeAll();
    },
  };
}

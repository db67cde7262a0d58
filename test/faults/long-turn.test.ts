/**
 * A long JS turn (a slow handler, a GC pause) is not the peer's fault: on every engine, deadlines that run
 * out during the turn (send stall, frame completion) are judged after taking in what arrived or completed
 * meanwhile. Transport level, through real sockets; the peer reads and writes promptly.
 */
import { describe, expect, it } from 'vitest';
import { createTransport } from '../../framework/transport/create-transport';
import type { CloseReason } from '../../framework/transport/close-reason';
import { frame, RawClient } from '../transport/helpers/raw-client';
import { faultRows } from './support/engines';

function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // a synchronous turn that keeps the loop from running
  }
}

describe.each(faultRows().map((row) => [row.name, row] as const))('long JS turns on %s', (_name, row) => {
  it('neither send_stalled nor frame_timeout fires because JS was busy', async () => {
    const transport = createTransport({
      engine: row.engine,
      ioThreads: row.ioThreads,
      sendStallMs: 200,
      frameTimeoutMs: 200,
      warn: () => undefined,
    });
    const closes: CloseReason[] = [];
    let session = 0;
    let frames = 0;
    transport.setHandler({
      onOpen: (id) => (session = id),
      onFrame: () => frames++,
      onWritable: () => undefined,
      onClose: (_id, reason) => closes.push(reason),
    });
    const { port } = await transport.listen('127.0.0.1', 0);
    const client = await RawClient.connect(port);
    try {
      for (let i = 0; i < 20 && session === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(session).not.toBe(0);
      // Sends queued, then a 400 ms turn: the peer reads them at once, only JS did not look.
      for (let round = 0; round < 3; round++) {
        transport.send(session, 100, round, new Uint8Array(32 * 1024));
        transport.flush();
        blockFor(400);
        await client.until(() => client.frames.length === round + 1, `frame ${round}`, 3000);
      }
      // A frame split around a long turn: its start is read, its rest reaches the kernel just before a turn
      // that outlasts the frame deadline (the peer was prompt; only JS did not look).
      const whole = frame(100, 9, new Uint8Array(100));
      await client.write(whole.subarray(0, 20));
      const held = transport.stats().recvBuffersHeld;
      for (let i = 0; i < 50 && transport.stats().recvBuffersHeld === held; i++)
        await new Promise((resolve) => setTimeout(resolve, 2));
      client.socket.write(whole.subarray(20)); // libuv writes at once when the socket is writable
      blockFor(400);
      for (let i = 0; i < 50 && frames === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(closes).toEqual([]);
      expect(frames).toBe(1);
    } finally {
      client.destroy();
      await transport.shutdown();
    }
  });
});

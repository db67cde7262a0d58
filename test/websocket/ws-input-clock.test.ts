/** WsInputClock (the node engine's view of where client WebSocket frames start and end) over every split. */
import { describe, expect, it } from 'vitest';
import { WsInputClock } from '../../framework/transport/websocket/ws-input-clock';
import { RawWs } from './helpers/raw-ws';

// A ping, then a message in two fragments (16-bit and 64-bit lengths) with a ping between them, then an
// empty binary message: input is complete only at 0, after the first ping, after the final fragment and
// at the end.
const parts = [
  RawWs.frame(9, Buffer.from('ping')),
  RawWs.frame(2, Buffer.alloc(300, 1), { fin: false }),
  RawWs.frame(9, Buffer.from('mid-message')),
  RawWs.frame(0, Buffer.alloc(70_000, 2), { fin: true }),
  RawWs.frame(2, Buffer.alloc(0)),
];
const stream = Buffer.concat(parts);
const complete = new Set<number>([0]);
for (let at = 0, i = 0; i < parts.length; i++) {
  at += parts[i].length;
  if (i !== 1 && i !== 2) complete.add(at);
}

describe('WsInputClock', () => {
  it('is pending exactly while a frame or a fragmented message is incomplete (byte by byte)', () => {
    const clock = new WsInputClock();
    const wrong: number[] = [];
    for (let k = 0; k <= stream.length; k++) {
      if (k > 0) clock.push(stream.subarray(k - 1, k));
      if (clock.pending === complete.has(k)) wrong.push(k);
    }
    expect(wrong).toEqual([]);
    expect(clock.starts).toBe(3); // the first ping, the fragmented message, the empty message
  });

  it('gives the same answer for a stream cut in two anywhere', () => {
    for (let cut = 0; cut <= stream.length; cut += cut < 400 ? 1 : 997) {
      const clock = new WsInputClock();
      clock.push(stream.subarray(0, cut));
      expect(clock.pending, `after ${cut} bytes`).toBe(!complete.has(cut));
      clock.push(stream.subarray(cut));
      expect(clock.pending, `cut at ${cut}: the end`).toBe(false);
      expect(clock.starts, `cut at ${cut}`).toBe(3);
    }
  });

  it('follows unmasked frames too (ws refuses them; the clock must not stall on their 2-byte header)', () => {
    const clock = new WsInputClock();
    clock.push(RawWs.frame(2, Buffer.alloc(10), { mask: false }).subarray(0, 5));
    expect(clock.pending).toBe(true);
    clock.push(Buffer.alloc(7));
    expect(clock.pending).toBe(false);
  });
});

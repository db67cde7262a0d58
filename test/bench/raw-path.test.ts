/**
 * The raw boundary harness (bench/cost/raw-path.ts) does the raw echo's real work per turn: every FRAME of
 * its batch comes back as a SEND in the command log, the frames of one session in one record (batches
 * below the early-submit threshold); fed FRAMES records, each session's echo is one SEND_SPAN naming them.
 */
import { describe, expect, it } from 'vitest';
import { feedRawEcho } from '../../bench/cost/raw-path';
import { NativeTransport } from '../../framework/transport/native-transport';
import { resolveOptions } from '../../framework/transport/options';

describe('raw boundary harness', () => {
  it.each([1, 64, 200])('submits one SEND record per session with its 4 echoed frames (%i B)', (size) => {
    const fed = feedRawEcho(size, { NativeTransport, resolveOptions });
    fed.turn();
    const record = 12 + 4 * (10 + size); // command header, then 4 wire frames (header + payload)
    expect(fed.submitted).toBe(100 * ((record + 3) & ~3));
    fed.turn();
    expect(fed.submitted).toBe(2 * 100 * ((record + 3) & ~3));
  });

  it.each([1, 64, 200])('echoes a FRAMES record as one SEND_SPAN record per session (%i B)', (size) => {
    const fed = feedRawEcho(size, { NativeTransport, resolveOptions }, 'frames');
    fed.turn();
    expect(fed.submitted).toBe(100 * (12 + 12)); // command header, then payload index, offset and length
  });
});

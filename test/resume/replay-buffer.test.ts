import { describe, expect, it } from 'vitest';
import { copyFrame, ReplayBuffer } from '../../framework/resume/replay-buffer';
import { ReconnectPolicy } from '../../framework/resume/reconnect-policy';
import { seqAtOrBefore, seqNewer } from '../../framework/resume/request-dedup';

const frame = (n: number, bytes = 0) => copyFrame(100, n % 3 === 0 ? n : 0, new Uint8Array(bytes).fill(n));

describe('ReplayBuffer', () => {
  it('numbers frames from 1, forgets acknowledged ones, replays the rest in order', () => {
    const buffer = new ReplayBuffer(100, 1 << 20);
    for (let n = 1; n <= 10; n++) expect(buffer.append(frame(n, 4))).toBe(n);
    buffer.acknowledge(4);
    expect(buffer.size).toBe(6);
    expect(buffer.bytes).toBe(6 * 14);
    expect(buffer.replayCheck(4)).toBe('ok');
    expect(buffer.replayCheck(3)).toBe('overflow');
    expect(buffer.replayCheck(11)).toBe('ahead');
    expect(buffer.framesAfter(7).map((f) => f.payload[0])).toEqual([8, 9, 10]);
    expect(buffer.frame(9)?.payload[0]).toBe(9);
    expect(buffer.frame(4)).toBeUndefined();
    expect(buffer.findResponse(9)).toBe(9);
    expect(buffer.findResponse(3)).toBeUndefined(); // acknowledged
    buffer.acknowledge(50); // beyond what was sent: ignored
    expect(buffer.size).toBe(6);
  });

  it('drops the oldest frames past the frame or byte bound, after which older positions cannot resume', () => {
    const byFrames = new ReplayBuffer(3, 1 << 20);
    for (let n = 1; n <= 5; n++) byFrames.append(frame(n));
    expect(byFrames.size).toBe(3);
    expect(byFrames.releasedThrough).toBe(2);
    expect(byFrames.replayCheck(1)).toBe('overflow');
    expect(byFrames.replayCheck(2)).toBe('ok');
    const byBytes = new ReplayBuffer(100, 100);
    for (let n = 1; n <= 4; n++) byBytes.append(frame(n, 30)); // 40 bytes each
    expect(byBytes.size).toBe(2);
    expect(byBytes.bytes).toBe(80);
  });

  it('keeps a private copy of the payload', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const kept = copyFrame(100, 0, bytes);
    bytes[0] = 9;
    expect([...kept.payload]).toEqual([1, 2, 3]);
  });
});

describe('request seqs after a resume', () => {
  it('compares seqs in serial-number order across the 32-bit wrap', () => {
    expect(seqNewer(5, 0)).toBe(true);
    expect(seqNewer(5, 4)).toBe(true);
    expect(seqNewer(4, 4)).toBe(false);
    expect(seqAtOrBefore(3, 4)).toBe(true);
    expect(seqNewer(1, 0xffffffff)).toBe(true);
    expect(seqAtOrBefore(0xfffffffe, 2)).toBe(true);
  });
});

describe('ReconnectPolicy', () => {
  it('doubles up to the cap, with jitter between half and all of the step', () => {
    const low = new ReconnectPolicy({ initialDelayMs: 100, maxDelayMs: 1000 }, () => 0);
    const high = new ReconnectPolicy({ initialDelayMs: 100, maxDelayMs: 1000 }, () => 1);
    expect([0, 1, 2, 3, 4, 40].map((n) => low.delay(n))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3, 4, 40].map((n) => high.delay(n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

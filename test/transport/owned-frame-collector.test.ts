/**
 * Owned frames are freed by scavenges (framework/transport/owned-frame-collector.ts): the scavenge it
 * obtains really frees dead young ArrayBuffers, it runs once per SCAVENGE_AFTER_BYTES of owned frames, and
 * a native transport receiving big owned frames runs it (and the frames arrive intact).
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, type Transport } from '../../framework/transport';
import {
  obtainScavenge,
  OwnedFrameCollector,
  SCAVENGE_AFTER_BYTES,
} from '../../framework/transport/owned-frame-collector';
import { nativeEngineProblems } from '../support/engines';
import { frame, pattern, RawClient } from './helpers/raw-client';
import { poll } from './helpers/server';

const MiB = 1024 * 1024;

/** Young collections V8 runs while `work` runs (its performance entries of kind minor). */
async function minorCollectionsDuring(work: () => Promise<void>): Promise<number> {
  let minor = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    await work();
    // gc entries are queued: let the observer see the last ones.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    observer.disconnect();
  }
  return minor;
}

describe('owned-frame collector', () => {
  it('obtains a scavenge that frees dead young ArrayBuffers', () => {
    setFlagsFromString('--no-concurrent-array-buffer-sweeping'); // as GameServer.start: freed in the pause
    const globalGc = (globalThis as { gc?: unknown }).gc;
    const scavenge = obtainScavenge();
    expect(scavenge).toBeTypeOf('function');
    expect((globalThis as { gc?: unknown }).gc).toBe(globalGc); // the global `gc` is left as it was
    const before = process.memoryUsage().arrayBuffers;
    // Below V8's own 32 MB young trigger, so no scavenge of its own frees them first.
    for (let i = 0; i < 16; i++) new Uint8Array(new ArrayBuffer(MiB))[0] = i;
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(16 * MiB);
    scavenge!();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(MiB);
  });

  it('scavenges once per SCAVENGE_AFTER_BYTES delivered, before the batch after them', () => {
    const scavenge = obtainScavenge()!;
    let runs = 0;
    const collector = new OwnedFrameCollector(() => {
      runs++;
      scavenge();
    });
    const frame = new ArrayBuffer(MiB);
    const batch = [frame, frame];
    const batchesPerScavenge = SCAVENGE_AFTER_BYTES / (2 * MiB);
    for (let i = 0; i < batchesPerScavenge; i++) collector.delivered(batch);
    expect(runs).toBe(0); // due, but the frames just delivered may still be in use
    collector.delivered(batch);
    expect([runs, collector.scavenges]).toEqual([1, 1]);
    for (let i = 0; i < 2 * batchesPerScavenge; i++) collector.delivered(batch);
    expect(runs).toBe(3);
  });

  it('does nothing where no scavenge can be had', () => {
    const collector = new OwnedFrameCollector(undefined);
    collector.delivered([new ArrayBuffer(2 * SCAVENGE_AFTER_BYTES)]);
    collector.delivered([new ArrayBuffer(8)]);
    expect(collector.scavenges).toBe(0);
  });
});

const problems = nativeEngineProblems();
describe.each([...problems].map(([engine, problem]) => [engine, problem] as const))(
  'owned frames on %s',
  (engine, problem) => {
    const transports: Transport[] = [];
    const clients: RawClient[] = [];
    // As GameServer.start: freed memory leaves V8's count inside the scavenge (the peak below reads it).
    beforeAll(() => setFlagsFromString('--no-concurrent-array-buffer-sweeping'));
    afterEach(async () => {
      for (const c of clients.splice(0)) c.destroy();
      for (const t of transports.splice(0)) await t.shutdown();
    });

    it.skipIf(problem !== '')(
      `are freed by scavenges while they arrive, intact (${problem || 'runs here'})`,
      async () => {
        const transport = createTransport({
          engine: engine as 'epoll' | 'uring',
          ownedFrameBytes: 32 * 1024,
          sendHardLimit: 64 * MiB,
        });
        transports.push(transport);
        const checked: boolean[] = [];
        let delivered = 0;
        let peak = 0; // the most owned-frame memory V8 counted at once (external memory)
        const base = process.memoryUsage().external;
        const payload = pattern(MiB - 10, 7);
        // Checks some owned frames' bytes and keeps none (as a handler that keeps nothing).
        transport.setHandler({
          onOpen: () => undefined,
          onClose: () => undefined,
          onWritable: () => undefined,
          onFrame: (_session, _msgId, seq, bytes, owned) => {
            delivered++;
            peak = Math.max(peak, process.memoryUsage().external - base);
            const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length); // no copy
            if (seq % 16 === 1) checked.push(owned === true && view.equals(payload));
          },
        });
        const { port } = await transport.listen('127.0.0.1', 0);
        const client = await RawClient.connect(port);
        clients.push(client);
        const due = 12; // scavenges due
        const frames = due * (SCAVENGE_AFTER_BYTES / MiB);
        // One frame buffer, reused (a new one per frame would make this process's V8 scavenge on its own).
        const wire = frame(100, 1, payload);
        const minor = await minorCollectionsDuring(async () => {
          for (let seq = 1; seq <= frames; seq++) {
            wire.writeUInt32BE(seq, 6);
            await client.write(wire); // resolves once the socket took it: the buffer may change again
          }
          await poll(() => delivered === frames, 'every frame');
        });
        expect(checked.length).toBe(Math.ceil(frames / 16));
        expect(checked.every(Boolean)).toBe(true);
        // One scavenge per SCAVENGE_AFTER_BYTES, at the start of a batch (a batch of several MiB may bring
        // more than one interval's frames: fewer are run). Without them: 0-1 here, and 48-60 MiB of frames
        // counted at once before V8's external-memory rule frees them with a full collection.
        expect(minor).toBeGreaterThanOrEqual(due / 2);
        expect(peak).toBeLessThanOrEqual(4 * SCAVENGE_AFTER_BYTES);
      },
    );
  },
);

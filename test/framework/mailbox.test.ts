import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mailbox } from '../../framework/actors/mailbox';

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('Mailbox', () => {
  it('handles messages one at a time in order across awaits (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 30 }),
        async (delays) => {
          const log: string[] = [];
          let active = 0;
          const mailbox = new Mailbox<number>({
            capacity: 1000,
            process: async (i) => {
              active++;
              log.push(`start ${i}${active > 1 ? ' overlap' : ''}`);
              if (delays[i] > 0) await tick(delays[i]);
              active--;
              log.push(`end ${i}`);
            },
            onError: () => undefined,
          });
          delays.forEach((_, i) => mailbox.push(i));
          await mailbox.idle();
          expect(log).toEqual(delays.flatMap((_, i) => [`start ${i}`, `end ${i}`]));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('runs synchronous handlers without waiting a tick and keeps going after errors', () => {
    const seen: number[] = [];
    const errors: unknown[] = [];
    const mailbox = new Mailbox<number>({
      capacity: 10,
      process: (n) => {
        if (n === 2) throw new Error('two');
        seen.push(n);
      },
      onError: (error, n) => errors.push([n, (error as Error).message]),
    });
    [1, 2, 3].forEach((n) => mailbox.push(n));
    expect(seen).toEqual([1, 3]);
    expect(errors).toEqual([[2, 'two']]);
    expect(mailbox.busy).toBe(false);
  });

  it('reports full at capacity and drained below half', async () => {
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const mailbox = new Mailbox<number>({
      capacity: 4,
      process: async (n) => {
        if (n === 0) await gate;
      },
      onError: () => undefined,
      onFull: () => events.push(`full at ${mailbox.size}`),
      onDrained: () => events.push(`drained at ${mailbox.size}`),
    });
    for (let n = 0; n <= 6; n++) mailbox.push(n); // 0 runs, 1..6 queue
    expect(mailbox.full).toBe(true);
    expect(events).toEqual(['full at 4']);
    release();
    await mailbox.idle();
    expect(events).toEqual(['full at 4', 'drained at 1']);
  });

  it('clear drops queued messages but lets the running one finish', async () => {
    const done: number[] = [];
    const mailbox = new Mailbox<number>({
      capacity: 10,
      process: async (n) => {
        await tick(2);
        done.push(n);
      },
      onError: () => undefined,
    });
    [1, 2, 3].forEach((n) => mailbox.push(n));
    expect(mailbox.clear()).toEqual([2, 3]);
    await mailbox.idle();
    expect(done).toEqual([1]);
  });
});

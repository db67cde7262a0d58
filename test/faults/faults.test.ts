/**
 * Reliability under abuse: every fault case (cases.ts) on every engine (node, epoll, uring when usable),
 * through real sockets on 127.0.0.1 with shortened timers. Common checks per case: the process survives,
 * each attacker session closes exactly once with an expected reason, the canary client keeps getting answers
 * (each within its request deadline, CANARY_DEADLINE_MS in support/fault-server.ts), and fds / sessions / held receive buffers / pending send bytes return to baseline.
 * Native engines run inline and on 2 I/O threads (FASTPORT_FAULT_IO_THREADS=0: inline only).
 * FASTPORT_FAULT_ENGINES=node,epoll restricts the engines; FASTPORT_FAULT_RESETS sets the reset iterations.
 */
import { describe, expect, it } from 'vitest';
import { EchoReq } from '../framework/support/messages';
import { openFdCount } from '../transport/helpers/raw-client';
import { faultCases, resetCase, type FaultCase } from './cases';
import { faultRows, type FaultRow } from './support/engines';
import { startWorld, type FaultWorld } from './support/fault-server';
import { Peers } from './support/peers';

const resets = Number(process.env.FASTPORT_FAULT_RESETS ?? 10_000);
const cases = [...faultCases, resetCase(resets)];

async function expectBackToBaseline(w: FaultWorld): Promise<void> {
  const snapshot = () => ({
    sessions: w.counter('sessions'),
    recvBuffersHeld: w.counter('recvBuffersHeld'),
    sendBytesPending: w.counter('sendBytesPending'),
    fdsAboveBaseline: Math.max(0, openFdCount() - w.baseline.fds),
  });
  await expect.poll(snapshot, { timeout: 5000, interval: 20 }).toEqual({
    sessions: w.baseline.sessions,
    recvBuffersHeld: w.baseline.recvBuffersHeld,
    sendBytesPending: 0,
    fdsAboveBaseline: 0,
  });
}

async function runCase({ engine, ioThreads }: FaultRow, fault: FaultCase): Promise<void> {
  const w = await startWorld(engine, fault.world, ioThreads);
  const peers = new Peers(w.port);
  try {
    await fault.run(w, peers);
    await peers.closeAll();
    // Every attacker session ends, exactly once, with an expected reason.
    await w.log.until(() => w.attackers().every((l) => l.reasons.length > 0), 'every attacker closed');
    const lives = w.attackers();
    if (fault.sessions !== 'any') expect(lives.length).toBe(fault.sessions ?? 1);
    const reasons = engine === 'node' ? (fault.nodeReasons ?? fault.reasons) : fault.reasons;
    for (const life of lives) {
      expect(life.reasons, `session ${life.session}`).toHaveLength(1);
      expect(reasons, `session ${life.session}`).toContain(life.reasons[0]);
    }
    // The canary was answered throughout, each answer before its request deadline, and still is. Its
    // latency is reported, not bounded: a bound tighter than the deadline is a timing goal (bench's job).
    const report = await w.canary.stop();
    expect(report.failures, `canary max latency ${report.maxLatencyMs} ms`).toEqual([]);
    expect(report.answered).toBeGreaterThan(0);
    expect(w.log.lives[0].reasons).toEqual([]);
    const last = await w.canaryClient
      .request(EchoReq, { text: 'still here', delayMs: 0 })
      .catch((e: unknown) => {
        throw new Error(
          `canary failed after the case (server-side close: ${w.log.lives[0].reasons.join()}): ${e}`,
        );
      });
    expect(last).toMatchObject({ text: 'still here' });
    await expectBackToBaseline(w);
  } finally {
    await peers.closeAll();
    await w.stop();
  }
}

describe.each(faultRows().map((row) => [row.name, row] as const))('faults on %s', (_name, row) => {
  for (const fault of cases) it(fault.name, () => runCase(row, fault), 60_000);
});

/**
 * Process-level faults on every engine, with the server in a child process: fd exhaustion on accept
 * (`prlimit --nofile=`) and SIGTERM under load. The server must not crash, must keep serving its open
 * sessions, recover, and (on SIGTERM) answer or tell every client and exit by itself before its deadline.
 */
import { describe, expect, it } from 'vitest';
import { GameClient, RequestError } from '../../framework/client/game-client';
import { EchoReq } from '../framework/support/messages';
import { RawClient } from '../transport/helpers/raw-client';
import { startChild } from './support/child';
import { faultEngines } from './support/engines';

const patient = { handshakeTimeoutMs: 60_000, idleTimeoutMs: 60_000, heartbeatIntervalMs: 10_000 };

async function pollUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(faultEngines())('process faults on %s', (engine) => {
  it('fd exhaustion on accept: pauses accepting, keeps serving, recovers', async () => {
    const nofile = 64;
    const child = await startChild(engine, { nofile, limits: patient });
    const sockets: RawClient[] = [];
    try {
      const canary = await GameClient.connect({ port: child.port });
      const flood = nofile - child.startFds + 20;
      for (let i = 0; i < flood; i++) {
        const c = await RawClient.connect(child.port).catch(() => null);
        if (c) {
          c.socket.on('error', () => undefined);
          sockets.push(c);
        }
      }
      // The child reaches its fd limit; connections beyond it wait in the kernel's accept queue.
      await pollUntil(async () => (await child.stats()).fds >= nofile - 2, 'the child at its fd limit');
      const exhausted = await child.stats();
      expect(Number(exhausted.stats.sessions)).toBeLessThan(flood + 1);
      if (engine !== 'node') expect(Number(exhausted.stats.acceptPaused)).toBeGreaterThan(0);
      // Open sessions keep being served while accept is failing.
      expect(await canary.request(EchoReq, { text: 'during', delayMs: 0 })).toMatchObject({ text: 'during' });
      // Free the fds: the server resumes accepting and serves a new client.
      for (const c of sockets.splice(0)) c.destroy();
      await pollUntil(async () => (await child.stats()).fds <= child.startFds + 2, 'fds released');
      const late = await GameClient.connect({ port: child.port, connectTimeoutMs: 5000 });
      expect(await late.request(EchoReq, { text: 'after', delayMs: 0 })).toMatchObject({ text: 'after' });
      await late.close();
      await canary.close();
      await pollUntil(async () => Number((await child.stats()).stats.sessions) === 0, 'sessions back to 0');
      expect(child.process.exitCode).toBe(null);
    } finally {
      for (const c of sockets) c.destroy();
      child.kill();
    }
  }, 60_000);

  it('SIGTERM under load: every request answered or refused, clients told, exit by the deadline', async () => {
    const shutdownTimeoutMs = 2000;
    const child = await startChild(engine, { limits: { shutdownTimeoutMs } });
    try {
      const clients = await Promise.all(
        Array.from({ length: 20 }, () => GameClient.connect({ port: child.port })),
      );
      const outcomes: string[] = [];
      let answered = 0;
      let stopping = false;
      const load = clients.map(async (client, i) => {
        for (let n = 0; !stopping || client.connected; n++) {
          if (!client.connected) break;
          try {
            const res = await client.request(EchoReq, { text: `${i}:${n}`, delayMs: 5 });
            expect(res.text).toBe(`${i}:${n}`);
            answered++;
          } catch (error) {
            outcomes.push(error instanceof RequestError ? error.code : String(error));
            if (!(error instanceof RequestError) || error.code === 'CLOSED') break;
          }
        }
      });
      await pollUntil(async () => answered >= 200, '200 answers before SIGTERM');
      const before = answered;
      const signalled = Date.now();
      child.process.kill('SIGTERM');
      stopping = true;
      const code = await Promise.race([
        child.exited,
        new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), shutdownTimeoutMs + 3000)),
      ]);
      expect(code).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(shutdownTimeoutMs + 3000);
      await Promise.all(load);
      expect(child.lines).toContain('{"stopped":true}');
      // Nothing hung or timed out: every request was answered, refused (SHUTTING_DOWN) or failed on close.
      expect(outcomes.filter((o) => o !== 'SHUTTING_DOWN' && o !== 'CLOSED')).toEqual([]);
      expect(answered).toBeGreaterThan(before);
      for (const client of clients) expect(client.connected).toBe(false);
      await expect(GameClient.connect({ port: child.port, connectTimeoutMs: 1000 })).rejects.toThrow();
    } finally {
      child.kill();
    }
  }, 60_000);
});

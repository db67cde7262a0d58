/**
 * Process lifetime: like a net.Socket, an engine keeps the process alive while a session exists (also
 * while an outbound connect is still on its way to an I/O thread), and lets it exit once nothing is left.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function runChild(ioThreads: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    // LOG_LEVEL=warn: stdout carries only the child's own lines (not the addon-loaded log line).
    const child = spawn(
      process.execPath,
      [join(__dirname, 'fixtures', 'client-only.cjs'), String(ioThreads)],
      {
        env: { ...process.env, LOG_LEVEL: 'warn' },
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`child did not exit by itself; output so far: ${JSON.stringify(out)}`));
    }, 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe.each([0, 2])('epoll engine process lifetime (ioThreads: %i)', (ioThreads) => {
  it('stays alive through an outbound session with no listener, then exits by itself', async () => {
    const { code, out } = await runChild(ioThreads);
    expect(out.split('\n').filter(Boolean)).toEqual(['OPEN', 'CLOSE']);
    expect(code).toBe(0);
  });
});

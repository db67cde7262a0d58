/**
 * GameServer's `sweepArrayBuffersInPause` (framework/server/array-buffer-sweeping.ts): once the server has
 * started, a scavenge has freed the memory of the dead ArrayBuffers it found by the time it returns (swept
 * in its pause), a child process each.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GameServer } from '../../framework';
import { EchoController } from '../../samples/echo/echo-controller';
import * as messages from '../../samples/echo/generated/packets';

const child = join(__dirname, 'fixtures', 'array-buffer-sweeping', 'child.ts');
const register = join(__dirname, '..', 'faults', 'support', 'ts-register.cjs');

function runChild(sweepInPause: boolean): { left: number[] } {
  const out = execFileSync(process.execPath, ['--expose-gc', '-r', register, child, String(sweepInPause)], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as { left: number[] };
}

describe('sweepArrayBuffersInPause', () => {
  it('on (the default): every scavenge has freed the dead buffers when it returns', () => {
    expect(runChild(true).left).toEqual([0, 0, 0, 0, 0]);
  });

  it('is a boolean option', () => {
    expect(
      () =>
        new GameServer({
          port: 0,
          messages,
          controllers: [EchoController],
          sweepArrayBuffersInPause: 'yes' as unknown as boolean,
        }),
    ).toThrow(/sweepArrayBuffersInPause must be a boolean/);
  });
});

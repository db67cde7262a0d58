/**
 * Handler mistakes explained: a return type that does not match says so near the top of the compiler's
 * output (the fixture is compiled on its own), and @Handler for a message without an id names the
 * missing `(fastport.id)`.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Handler } from '../../framework/handlers/decorators';
import type { MessageType } from '../../framework/protocol/message-type';

const root = path.join(__dirname, '..', '..');

function compile(project: string): string {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], {
      cwd: root,
      encoding: 'utf8',
    });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe('handler mistakes', () => {
  it('a wrong return type names the expected and the actual type in the first lines', () => {
    const output = compile(path.join(__dirname, 'fixtures', 'handler-return', 'tsconfig.json'));
    const firstLines = output.split('\n').slice(0, 2).join('\n');
    expect(firstLines).toContain(
      "'@Handler: the method must return': EchoRes | Promise<EchoRes>; 'but it returns': string;",
    );
  }, 120_000);

  it('@Handler for a message without an id names the missing (fastport.id)', () => {
    const plain = { name: 'game.MoveReq', encode: () => new Uint8Array(), decode: () => ({}) };
    expect(() => Handler(plain as unknown as MessageType<unknown>)).toThrow(
      '@Handler(game.MoveReq): the message has no id. Give it `option (fastport.id) = N;`',
    );
  });
});

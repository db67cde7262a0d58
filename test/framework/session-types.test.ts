/**
 * Declaring SessionTypes once types every Session: the fixture merges a user and a state type and is
 * compiled on its own (one program may hold one merge; the main tsconfig leaves fixtures out). Its
 * `@ts-expect-error` lines fail the compile if the merge stopped typing `authenticate` and `state`.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');

describe('SessionTypes declaration merging', () => {
  it('types session.user, session.authenticate and session.state in every handler', () => {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const project = path.join(__dirname, 'fixtures', 'session-types', 'tsconfig.json');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe('');
  }, 120_000);
});

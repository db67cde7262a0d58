/**
 * ts-proto gives every message a fresh `Buffer.alloc(0)` for each absent bytes field, on every decode and
 * create: measurably the largest allocation of a small request (see docs/codegen.md). A zero-length
 * Buffer cannot be written into, so one shared constant per generated file serves them all.
 */
import { replaceWithDeclared } from './after-imports';

const FRESH_EMPTY = 'Buffer.alloc(0)';
const SHARED_EMPTY = 'EMPTY_BYTES';

export function shareEmptyBytes(content: string): string {
  return replaceWithDeclared(content, FRESH_EMPTY, SHARED_EMPTY, [
    '',
    '/** The default of absent bytes fields: one shared zero-length Buffer (nothing can be written into it). */',
    `const ${SHARED_EMPTY}: Buffer = Buffer.alloc(0);`,
  ]);
}

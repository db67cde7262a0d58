/**
 * ts-proto copies a decoded bytes field out of the input with `Buffer.from(reader.bytes())`. For a small
 * field that generic conversion (type checks, then the pool) costs more than the copy: a Buffer of the
 * field's length filled with one set() is the same copy, about a fifth cheaper (see docs/codegen.md).
 */
import { replaceWithDeclared } from './after-imports';

const GENERIC_COPY = 'Buffer.from(reader.bytes())';
const DIRECT_COPY = 'copyBytes(reader.bytes())';

export function copyBytesDirectly(content: string): string {
  return replaceWithDeclared(content, GENERIC_COPY, DIRECT_COPY, [
    '',
    '/** A decoded bytes field: its own copy of the input bytes (the input is only borrowed). */',
    'function copyBytes(view: Uint8Array): Buffer {',
    '  const copy = Buffer.allocUnsafe(view.length);',
    '  copy.set(view);',
    '  return copy;',
    '}',
  ]);
}

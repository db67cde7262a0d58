/**
 * ts-proto copies a decoded bytes field out of the input with `Buffer.from(reader.bytes())`. The generated
 * file's `ownBytes` asks the reader instead: the framework's shared reader returns a view of input the
 * message owns, or a copy from its pools (framework/packets/field-bytes.ts); any other reader's bytes are
 * copied into a Buffer of the field's length with one set(), cheaper than Buffer.from's generic conversion
 * of a small field (see docs/codegen.md).
 */
import { replaceWithDeclared } from './after-imports';

const GENERIC_COPY = 'Buffer.from(reader.bytes())';
const OWN_BYTES = 'ownBytes(reader)';

export function copyBytesDirectly(content: string): string {
  return replaceWithDeclared(content, GENERIC_COPY, OWN_BYTES, [
    '',
    '/**',
    ' * A decoded bytes field as memory the message may keep: what the reader hands out when it can (the',
    " * framework's shared reader: a view of input the message owns, or a pooled copy), else a copy.",
    ' */',
    'function ownBytes(reader: BinaryReader): Buffer {',
    "  if (typeof (reader as any).ownBytes === 'function') return (reader as any).ownBytes();",
    '  const view = reader.bytes();',
    '  const copy = Buffer.allocUnsafe(view.length);',
    '  copy.set(view);',
    '  return copy;',
    '}',
  ]);
}

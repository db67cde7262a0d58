import { describe, expect, it } from 'vitest';
import { dropLeafDecodeDepth } from '../../codegen/descriptor/leaf-decode-depth';

/** A decoder as ts-proto writes it, with `field` as the body of its only case. */
function tsProtoDecoder(name: string, field: string): string {
  return [
    `export const ${name} = {`,
    `  decode(input: BinaryReader | Uint8Array, length?: number): ${name} {`,
    '    const reader = input instanceof BinaryReader ? input : new BinaryReader(input);',
    '    const previousRecursionDepth = (reader as any).__tsProtoDecodeDepth ?? 0;',
    '    if (previousRecursionDepth >= 100) {',
    '      throw new globalThis.Error("protobuf decode recursion limit exceeded");',
    '    }',
    '    (reader as any).__tsProtoDecodeDepth = previousRecursionDepth + 1;',
    '    try {',
    `      const message = createBase${name}();`,
    '      while (reader.pos < end) {',
    `        ${field}`,
    '      }',
    '      return message;',
    '    } finally {',
    '      (reader as any).__tsProtoDecodeDepth = previousRecursionDepth;',
    '    }',
    '  },',
    '};',
    '',
  ].join('\n');
}

describe('leaf decoders without depth bookkeeping (codegen post-processing)', () => {
  it('drops the guard of a decoder that calls no other decoder and keeps its body, one level less indented', () => {
    const out = dropLeafDecodeDepth(tsProtoDecoder('Leaf', 'message.name = reader.string();'));
    expect(out).not.toContain('__tsProtoDecodeDepth');
    expect(out).not.toContain('try {');
    expect(out).toContain('\n    const message = createBaseLeaf();\n    while (reader.pos < end) {\n');
    expect(out).toContain('\n      message.name = reader.string();\n    }\n    return message;\n  },\n');
  });

  it('keeps the guard of a decoder that calls another (it can recurse)', () => {
    const nested = tsProtoDecoder('Tree', 'message.child = Tree.decode(reader, reader.uint32());');
    expect(dropLeafDecodeDepth(nested)).toBe(nested);
  });

  it('treats each decoder of a file on its own', () => {
    const leaf = tsProtoDecoder('Leaf', 'message.n = reader.int32();');
    const nested = tsProtoDecoder('Box', 'message.leaf = Leaf.decode(reader, reader.uint32());');
    const out = dropLeafDecodeDepth(leaf + nested + leaf.replace(/Leaf/g, 'Other'));
    expect(out.match(/__tsProtoDecodeDepth \?\? 0/g)).toHaveLength(1);
    expect(out).toContain(nested);
  });
});

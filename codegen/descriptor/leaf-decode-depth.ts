/**
 * ts-proto counts the nesting depth on the reader in every decoder (a property read, two writes and a
 * try/finally per message) to stop runaway recursion. A decoder that calls no other decoder cannot
 * recurse: its depth bookkeeping is dropped, which is most small requests. Decoders that do call others
 * keep it, so a nested chain is still bounded (and the framework validates depth before decoding).
 */
const GUARD = [
  '    const previousRecursionDepth = (reader as any).__tsProtoDecodeDepth ?? 0;',
  '    if (previousRecursionDepth >= 100) {',
  '      throw new globalThis.Error("protobuf decode recursion limit exceeded");',
  '    }',
  '    (reader as any).__tsProtoDecodeDepth = previousRecursionDepth + 1;',
  '    try {',
  '',
].join('\n');
const RESTORE = [
  '    } finally {',
  '      (reader as any).__tsProtoDecodeDepth = previousRecursionDepth;',
  '    }',
  '',
].join('\n');
/** How one decoder calls another in ts-proto's output (nested messages, map entries, well-known types). */
const NESTED_DECODE = '.decode(reader, ';

/** The try block's body one level (two spaces) less indented. */
function dedent(body: string): string {
  return body.replace(/^ {2}/gm, '');
}

export function dropLeafDecodeDepth(content: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const guard = content.indexOf(GUARD, at);
    if (guard < 0) break;
    const bodyStart = guard + GUARD.length;
    const restore = content.indexOf(RESTORE, bodyStart);
    if (restore < 0) break;
    const body = content.slice(bodyStart, restore);
    out += content.slice(at, guard);
    out += body.includes(NESTED_DECODE) ? content.slice(guard, restore + RESTORE.length) : dedent(body);
    at = restore + RESTORE.length;
  }
  return out + content.slice(at);
}

/**
 * WebSocket conformance, ONE suite over every engine (node, epoll, uring; inline and ioThreads 2): the
 * cases of helpers/conformance-cases.ts, which the Windows runner also runs over iocp and rio under Wine.
 */
import { describe, it } from 'vitest';
import { implementations } from '../transport/helpers/implementations';
import { conformanceCases, runCase } from './helpers/conformance-cases';

const rows = implementations();

describe.each(rows.map((row) => [row.name, row] as const))('websocket conformance: %s', (_name, impl) => {
  if (impl.skip) {
    it.skip(impl.skip, () => undefined);
    return;
  }
  for (const c of conformanceCases()) it(c.name, () => runCase(impl, c), c.timeoutMs);
});

import { createTransport } from '../../../framework/transport/create-transport';
import { tryLoadBinding } from '../../../framework/transport/loader';
import type { EngineName, Transport } from '../../../framework/transport/transport';

export interface TransportCase {
  engine: EngineName;
  create(): Transport;
}

/**
 * The engines to run the framework tests on: node always, epoll / uring when the addon is built (and
 * io_uring works here). FASTPORT_TEST_ENGINES=node,epoll restricts the list.
 */
export function availableTransports(): TransportCase[] {
  const engines: EngineName[] = ['node'];
  const loaded = tryLoadBinding();
  if (loaded.binding) {
    const built = loaded.binding.engines();
    if (built.includes('epoll')) engines.push('epoll');
    if (built.includes('uring') && loaded.binding.probeUring() === '') engines.push('uring');
  }
  const only = process.env.FASTPORT_TEST_ENGINES?.split(',').map((e) => e.trim());
  return engines
    .filter((engine) => only === undefined || only.includes(engine))
    .map((engine) => ({ engine, create: () => createTransport({ engine, warn: () => undefined }) }));
}

import { createTransport } from '../../../framework/transport/create-transport';
import type { EngineName, Transport } from '../../../framework/transport/transport';
import { runnableEngines } from '../../support/engines';

export interface TransportCase {
  engine: EngineName;
  create(): Transport;
}

/** The engines to run the framework tests on (FASTPORT_TEST_ENGINES=node,epoll restricts the list). */
export function availableTransports(): TransportCase[] {
  return runnableEngines('FASTPORT_TEST_ENGINES').map((engine) => ({
    engine,
    create: () => createTransport({ engine, warn: () => undefined }),
  }));
}

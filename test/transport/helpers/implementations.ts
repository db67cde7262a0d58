/**
 * The rows the contract suite runs over: 'node', and for every engine compiled into the addon both inline
 * (ioThreads 0) and with 2 I/O threads. Native rows carry a skip reason when the addon is not built (an
 * error instead when FASTPORT_REQUIRE_ENGINES names the engine). The two decorators the game server can put
 * in front of a transport run once each, on epoll inline (the row whose big frames arrive owned).
 */
import {
  createTransport,
  tryLoadBinding,
  type Transport,
  type TransportOptions,
} from '../../../framework/transport';
import { ResumableTransport } from '../../../framework/resume/resumable-transport';
import { requiredEngines } from '../../support/engines';

/** A resumable front with no session armed: every call and event must pass through unchanged. */
const noResumeEvents = {
  dropped: () => false,
  closedWhileAway: () => undefined,
  released: () => undefined,
  replayLost: () => undefined,
};

export interface Implementation {
  name: string;
  skip?: string;
  create(options?: TransportOptions): Transport;
}

export function implementations(): Implementation[] {
  const rows: Implementation[] = [{ name: 'node', create: (o) => createTransport({ ...o, engine: 'node' }) }];
  const loaded = tryLoadBinding();
  if (!loaded.binding) {
    const required = requiredEngines();
    if (required.length > 0) {
      throw new Error(`FASTPORT_REQUIRE_ENGINES names ${required.join(', ')}: ${loaded.error.message}`);
    }
    for (const name of ['epoll', 'uring']) {
      rows.push({
        name,
        skip: `native addon not built: ${loaded.error.message}`,
        create: () => unavailable(),
      });
    }
    return rows;
  }
  for (const engine of loaded.binding.engines()) {
    const usable = engine === 'uring' ? loaded.binding.probeUring() : '';
    if (usable && requiredEngines().includes(engine)) {
      throw new Error(`FASTPORT_REQUIRE_ENGINES names '${engine}', which cannot run here: ${usable}`);
    }
    for (const ioThreads of [0, 2]) {
      rows.push({
        name: `${engine} ioThreads=${ioThreads}`,
        skip: usable ? `io_uring unusable here: ${usable}` : undefined,
        create: (o) => createTransport({ ...o, engine: engine as 'epoll' | 'uring', ioThreads }),
      });
    }
  }
  if (loaded.binding.engines().includes('epoll')) {
    const inline = (o?: TransportOptions): Transport =>
      createTransport({ ...o, engine: 'epoll', ioThreads: 0 });
    rows.push(
      {
        name: 'epoll ioThreads=0, resumable front',
        create: (o) => new ResumableTransport(inline(o), noResumeEvents),
      },
      // A limit no test reaches: the address-limit front is in place, refusing nobody.
      {
        name: 'epoll ioThreads=0, per-address limit front',
        create: (o) => inline({ maxConnectionsPerAddress: 100_000, ...o }),
      },
    );
  }
  return rows;
}

function unavailable(): never {
  throw new Error('implementation not available');
}

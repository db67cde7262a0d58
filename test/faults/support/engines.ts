/**
 * The engines the fault suite runs on: node always; epoll and uring when the addon has them (uring only
 * when probeUring() is ''). FASTPORT_FAULT_ENGINES=node,epoll restricts the list.
 */
import { tryLoadBinding } from '../../../framework/transport/loader';
import type { EngineName } from '../../../framework/transport/transport';

export function faultEngines(): EngineName[] {
  const engines: EngineName[] = ['node'];
  const loaded = tryLoadBinding();
  if (loaded.binding) {
    const built = loaded.binding.engines();
    if (built.includes('epoll')) engines.push('epoll');
    if (built.includes('uring') && loaded.binding.probeUring() === '') engines.push('uring');
  }
  const only = process.env.FASTPORT_FAULT_ENGINES?.split(',').map((e) => e.trim());
  return engines.filter((engine) => only === undefined || only.includes(engine));
}

/** A fault-suite row: an engine and, for the native ones, the driver mode (0 = inline, N = I/O threads). */
export interface FaultRow {
  name: string;
  engine: EngineName;
  ioThreads: number;
}

/** Every engine inline, plus each native engine on 2 I/O threads (FASTPORT_FAULT_IO_THREADS=0 skips those). */
export function faultRows(): FaultRow[] {
  const threaded = Number(process.env.FASTPORT_FAULT_IO_THREADS ?? 2);
  const rows: FaultRow[] = [];
  for (const engine of faultEngines()) {
    rows.push({ name: engine, engine, ioThreads: 0 });
    if (engine !== 'node' && threaded > 0)
      rows.push({ name: `${engine} ioThreads=${threaded}`, engine, ioThreads: threaded });
  }
  return rows;
}

import type { EngineName } from '../../../framework/transport/transport';
import { runnableEngines } from '../../support/engines';

/** The engines the fault suite runs on (FASTPORT_FAULT_ENGINES=node,epoll restricts the list). */
export function faultEngines(): EngineName[] {
  return runnableEngines('FASTPORT_FAULT_ENGINES');
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

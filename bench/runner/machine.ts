/** What the results were measured on. */
import * as os from 'node:os';

export interface Machine {
  cores: number;
  cpu: string;
  kernel: string;
  node: string;
  memoryGiB: number;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

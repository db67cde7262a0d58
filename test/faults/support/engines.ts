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

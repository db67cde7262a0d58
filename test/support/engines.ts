/**
 * The engines a test suite can run on here: node always; epoll and uring when the addon has them (uring
 * only when probeUring() is ''). `envVar` (e.g. FASTPORT_TEST_ENGINES=node,epoll) restricts the list.
 */
import { tryLoadBinding } from '../../framework/transport/loader';
import type { EngineName } from '../../framework/transport/transport';

export function runnableEngines(envVar: string): EngineName[] {
  const engines: EngineName[] = ['node'];
  const loaded = tryLoadBinding();
  if (loaded.binding) {
    const built = loaded.binding.engines();
    if (built.includes('epoll')) engines.push('epoll');
    if (built.includes('uring') && loaded.binding.probeUring() === '') engines.push('uring');
  }
  const only = process.env[envVar]?.split(',').map((e) => e.trim());
  return engines.filter((engine) => only === undefined || only.includes(engine));
}

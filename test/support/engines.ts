/**
 * The engines a test suite can run on here: node always; epoll and uring when the addon has them (uring
 * only when probeUring() is ''). `envVar` (e.g. FASTPORT_TEST_ENGINES=node,epoll) restricts the list.
 *
 * A native engine that cannot run is never dropped silently: the calling test file gets a skipped suite
 * naming the engine and the reason, and when FASTPORT_REQUIRE_ENGINES (comma list, set by .ci/run) names
 * it, the file fails instead.
 */
import { describe, it } from 'vitest';
import { tryLoadBinding } from '../../framework/transport/loader';
import type { EngineName } from '../../framework/transport/transport';

const NATIVE_ENGINES: EngineName[] = process.platform === 'win32' ? ['iocp', 'rio'] : ['epoll', 'uring'];

/** Why each native engine of this platform cannot run here ('' = it can). */
export function nativeEngineProblems(): Map<EngineName, string> {
  const problems = new Map<EngineName, string>();
  const loaded = tryLoadBinding();
  for (const engine of NATIVE_ENGINES) {
    if (!loaded.binding) {
      problems.set(engine, `native addon not loaded: ${loaded.error.message}`);
    } else if (!loaded.binding.engines().includes(engine)) {
      problems.set(engine, 'not compiled into the addon');
    } else {
      const probe = engine === 'uring' ? loaded.binding.probeUring() : '';
      problems.set(engine, probe ? `io_uring unusable here: ${probe}` : '');
    }
  }
  return problems;
}

/** The engines FASTPORT_REQUIRE_ENGINES names (they must run, or the suite fails). */
export function requiredEngines(): string[] {
  return (process.env.FASTPORT_REQUIRE_ENGINES ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

/** Throws when a required engine cannot run; otherwise registers a visible skip for it. */
export function reportMissingEngine(engine: string, reason: string): void {
  if (requiredEngines().includes(engine)) {
    throw new Error(`FASTPORT_REQUIRE_ENGINES names '${engine}', which cannot run here: ${reason}`);
  }
  describe(`engine ${engine}`, () => {
    it.skip(`skipped: ${reason}`, () => undefined);
  });
}

export function runnableEngines(envVar: string): EngineName[] {
  for (const engine of requiredEngines()) {
    if (engine !== 'node' && !NATIVE_ENGINES.includes(engine as EngineName)) {
      reportMissingEngine(engine, `not an engine of ${process.platform}`);
    }
  }
  const only = process.env[envVar]?.split(',').map((e) => e.trim());
  const wanted = (engine: EngineName): boolean => only === undefined || only.includes(engine);
  const engines: EngineName[] = wanted('node') ? ['node'] : [];
  for (const [engine, problem] of nativeEngineProblems()) {
    if (!wanted(engine)) continue;
    if (problem) {
      reportMissingEngine(engine, problem);
    } else {
      engines.push(engine);
    }
  }
  return engines;
}

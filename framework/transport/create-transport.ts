/** Picks and builds the transport for the options (engine 'auto' resolved here, validated before native). */
import { AddressLimitedTransport } from './address-limit';
import { tryLoadBinding } from './loader';
import type { NativeBinding } from './native';
import { NativeTransport } from './native-transport';
import { NodeNetTransport } from './node-net-transport';
import { resolveOptions, type ResolvedOptions, type TransportOptions } from './options';
import type { EngineName, NativeEngineName, Transport } from './transport';

/** Engines of each platform, preferred first: `auto` takes the first that is built and works here. */
const PLATFORM_ENGINES: Record<'linux' | 'win32', readonly NativeEngineName[]> = {
  linux: ['uring', 'epoll'],
  win32: ['rio', 'iocp'],
};

function platformEngines(platform: NodeJS.Platform): readonly NativeEngineName[] {
  return platform === 'win32' ? PLATFORM_ENGINES.win32 : PLATFORM_ENGINES.linux;
}

/** '' when a built engine can run here, else why not (only uring has a run-time probe; rio falls back itself). */
function engineProblem(engine: NativeEngineName, binding: NativeBinding): string {
  return engine === 'uring' ? binding.probeUring() : '';
}

/** The engine to build for a choice ('auto' resolved); `load` and `platform` are replaceable for tests. */
export function resolveEngine(
  choice: ResolvedOptions['engine'],
  warn: (message: string) => void = (m) => console.warn(m),
  load: () => ReturnType<typeof tryLoadBinding> = tryLoadBinding,
  platform: NodeJS.Platform = process.platform,
): { engine: EngineName; binding?: NativeBinding } {
  if (choice === 'node') return { engine: 'node' };
  const candidates = platformEngines(platform);
  if (choice !== 'auto' && !candidates.includes(choice)) {
    const where = choice === 'iocp' || choice === 'rio' ? 'Windows' : 'Linux';
    throw new Error(
      `engine '${choice}' is ${where} only; on ${platform} use 'auto', '${candidates.join("', '")}' or 'node'`,
    );
  }
  const loaded = load();
  if (!loaded.binding) {
    if (choice === 'auto') {
      warn(`fastport: native addon unavailable, using engine 'node': ${loaded.error.message}`);
      return { engine: 'node' };
    }
    throw loaded.error;
  }
  const binding = loaded.binding;
  const built = binding.engines();
  if (choice === 'auto') {
    const usable = candidates.find((e) => built.includes(e) && engineProblem(e, binding) === '');
    const skipped = candidates.slice(0, usable ? candidates.indexOf(usable) : candidates.length);
    for (const engine of skipped.filter((e) => built.includes(e))) {
      warn(
        `fastport: engine '${engine}' does not work here (${engineProblem(engine, binding)}), skipping it`,
      );
    }
    if (usable) return { engine: usable, binding };
    warn(
      `fastport: the addon has no usable engine (built: ${built.join(', ') || 'none'}), using engine 'node'`,
    );
    return { engine: 'node' };
  }
  if (!built.includes(choice)) {
    throw new Error(
      `engine '${choice}' is not compiled into this fastport addon (built: ${built.join(', ') || 'none'}); ` +
        `rebuild with npm run build:native or choose another engine`,
    );
  }
  const problem = engineProblem(choice, binding);
  if (problem !== '')
    throw new Error(`engine '${choice}' does not work here: ${problem}; use 'epoll' or 'auto'`);
  return { engine: choice, binding };
}

/**
 * Starts the native engine. The probe cannot foresee every set-up failure (io_uring's rings and registered
 * buffers count against RLIMIT_MEMLOCK, 64 KiB on many distributions): under 'auto' a uring that fails to
 * start falls back to epoll with one warning naming the reason; an explicit 'uring' fails with it.
 */
function startNative(
  binding: NativeBinding,
  engine: NativeEngineName,
  resolved: ResolvedOptions,
  warn: (message: string) => void,
): Transport {
  try {
    return new NativeTransport(binding, engine, resolved);
  } catch (err) {
    if (engine !== 'uring') throw err;
    const reason = err instanceof Error ? err.message : String(err);
    if (resolved.engine !== 'auto') {
      throw new Error(`engine 'uring' does not work here: ${reason}; use 'epoll' or 'auto'`, { cause: err });
    }
    warn(`fastport: engine 'uring' could not start (${reason}), using engine 'epoll'`);
    return new NativeTransport(binding, 'epoll', resolved);
  }
}

/** Builds a transport; every option is validated first (see options.ts for the defaults). */
export function createTransport(options: TransportOptions = {}): Transport {
  const resolved = resolveOptions(options);
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const { engine, binding } = resolveEngine(resolved.engine, warn);
  const transport =
    engine === 'node' || !binding
      ? new NodeNetTransport(resolved)
      : startNative(binding, engine as NativeEngineName, resolved, warn);
  const perAddress = resolved.maxConnectionsPerAddress;
  return perAddress > 0 ? new AddressLimitedTransport(transport, perAddress) : transport;
}

/** Picks and builds the transport for the options (engine 'auto' resolved here, validated before native). */
import { AddressLimitedTransport } from './address-limit';
import { tryLoadBinding } from './loader';
import type { NativeBinding } from './native';
import { NativeTransport } from './native-transport';
import { NodeNetTransport } from './node-net-transport';
import { resolveOptions, type ResolvedOptions, type TransportOptions } from './options';
import type { EngineName, Transport } from './transport';

/** The engine to build for a choice ('auto' resolved); `load` is replaceable for tests. */
export function resolveEngine(
  choice: ResolvedOptions['engine'],
  warn: (message: string) => void = (m) => console.warn(m),
  load: () => ReturnType<typeof tryLoadBinding> = tryLoadBinding,
): { engine: EngineName; binding?: NativeBinding } {
  if (choice === 'node') return { engine: 'node' };
  if (choice === 'iocp' || choice === 'rio') {
    throw new Error(
      `engine '${choice}' is Windows only; on ${process.platform} use 'auto', 'epoll', 'uring' or 'node'`,
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
    if (built.includes('uring') && binding.probeUring() === '') return { engine: 'uring', binding };
    if (built.includes('epoll')) return { engine: 'epoll', binding };
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
  if (choice === 'uring') {
    const reason = binding.probeUring();
    if (reason !== '') throw new Error(`engine 'uring' does not work here: ${reason}; use 'epoll' or 'auto'`);
  }
  return { engine: choice, binding };
}

/** Builds a transport; every option is validated first (see options.ts for the defaults). */
export function createTransport(options: TransportOptions = {}): Transport {
  const resolved = resolveOptions(options);
  const { engine, binding } = resolveEngine(resolved.engine, options.warn);
  const transport =
    engine === 'node' || !binding
      ? new NodeNetTransport(resolved)
      : new NativeTransport(binding, engine as 'epoll' | 'uring', resolved);
  const perAddress = resolved.maxConnectionsPerAddress;
  return perAddress > 0 ? new AddressLimitedTransport(transport, perAddress) : transport;
}

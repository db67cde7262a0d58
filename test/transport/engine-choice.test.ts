/** engine 'auto' and explicit engines resolved against fake bindings (no addon needed). */
import { describe, expect, it } from 'vitest';
import { CLOSE_REASONS, resolveEngine } from '../../framework/transport';
import type { NativeBinding } from '../../framework/transport/native';

function binding(engines: string[], probe: string): () => { binding: NativeBinding } {
  const fake: NativeBinding = {
    engines: () => engines,
    probeUring: () => probe,
    closeReasons: () => [...CLOSE_REASONS],
    Engine: class {} as unknown as NativeBinding['Engine'],
  };
  return () => ({ binding: fake });
}
const missing = (): { error: Error } => ({
  error: new Error('addon not found. Build the addon with `npm run build:native`'),
});

describe('engine choice', () => {
  const silent = (): void => undefined;

  it('auto picks uring where it works, else epoll, else node with a warning', () => {
    expect(resolveEngine('auto', silent, binding(['epoll', 'uring'], '')).engine).toBe('uring');
    const skipped: string[] = [];
    expect(
      resolveEngine(
        'auto',
        (m) => skipped.push(m),
        binding(['epoll', 'uring'], 'io_uring_setup: EPERM (seccomp)'),
      ).engine,
    ).toBe('epoll');
    expect(skipped).toEqual([
      "fastport: engine 'uring' does not work here (io_uring_setup: EPERM (seccomp)), skipping it",
    ]);
    expect(resolveEngine('auto', silent, binding(['epoll'], '')).engine).toBe('epoll');
    const warnings: string[] = [];
    expect(resolveEngine('auto', (m) => warnings.push(m), missing).engine).toBe('node');
    expect(warnings[0]).toMatch(/using engine 'node'.*npm run build:native/);
  });

  it('an explicit engine never falls back: it fails with the reason', () => {
    expect(() =>
      resolveEngine('uring', silent, binding(['epoll', 'uring'], 'io_uring_setup: EPERM (seccomp)')),
    ).toThrow("engine 'uring' does not work here: io_uring_setup: EPERM (seccomp)");
    expect(() => resolveEngine('uring', silent, binding(['epoll'], ''))).toThrow(
      /not compiled into this fastport addon/,
    );
    expect(() => resolveEngine('epoll', silent, missing)).toThrow(/npm run build:native/);
    expect(resolveEngine('epoll', silent, binding(['epoll', 'uring'], '')).engine).toBe('epoll');
    expect(resolveEngine('node', silent, missing).engine).toBe('node');
  });

  it('on Windows auto picks rio, else iocp; Linux engines are refused there and Windows ones here', () => {
    const win = binding(['iocp', 'rio'], 'not built');
    expect(resolveEngine('auto', silent, win, 'win32').engine).toBe('rio');
    expect(resolveEngine('auto', silent, binding(['iocp'], ''), 'win32').engine).toBe('iocp');
    expect(resolveEngine('iocp', silent, win, 'win32').engine).toBe('iocp');
    expect(() => resolveEngine('epoll', silent, win, 'win32')).toThrow("engine 'epoll' is Linux only");
    expect(() => resolveEngine('rio', silent, binding(['epoll'], ''), 'linux')).toThrow(
      "engine 'rio' is Windows only",
    );
  });
});

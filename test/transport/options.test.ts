/** Option validation: precise messages before anything reaches native code; the documented defaults. */
import { describe, expect, it } from 'vitest';
import { createTransport, defaultLimits, resolveOptions } from '../../framework/transport';

describe('transport options', () => {
  it('has the documented defaults (docs/architecture.md, "Limits")', () => {
    expect(defaultLimits).toEqual({
      maxFrameBytes: 1024 * 1024,
      sendSoftLimit: 1024 * 1024,
      sendHardLimit: 10 * 1024 * 1024,
      frameTimeoutMs: 10_000,
      sendStallMs: 30_000,
      maxConnections: 50_000,
    });
    expect(resolveOptions({}).limits).toEqual(defaultLimits);
    expect(resolveOptions({}).engine).toBe('auto');
    expect(resolveOptions({}).ioThreads).toBe(0);
  });

  it.each([
    [{ maxFrameBytes: 5 }, 'maxFrameBytes must be an integer between 10 and 67108864, got 5'],
    [
      { maxFrameBytes: 64 * 1024 * 1024 + 1 },
      'maxFrameBytes must be an integer between 10 and 67108864, got 67108865',
    ],
    [{ maxFrameBytes: 1.5 }, 'maxFrameBytes must be an integer between 10 and 67108864, got 1.5'],
    [{ ioThreads: -1 }, 'ioThreads must be an integer between 0 and 64, got -1'],
    [{ ioThreads: '2' }, 'ioThreads must be an integer between 0 and 64, got "2"'],
    [{ frameTimeoutMs: NaN }, 'frameTimeoutMs must be an integer between 0 and 2147483647, got NaN'],
    [{ maxConnections: 0 }, 'maxConnections must be an integer between 1 and 1000000, got 0'],
    [
      { sendSoftLimit: 2048, sendHardLimit: 1024 },
      'sendHardLimit (1024) must be at least sendSoftLimit (2048)',
    ],
    [{ engine: 'kqueue' }, 'engine must be one of auto, epoll, uring, iocp, rio, node, got "kqueue"'],
    [{ uringEntries: 100 }, 'uringEntries must be a power of two, got 100'],
    [
      { maxConnectionsPerAddress: -1 },
      'maxConnectionsPerAddress must be an integer between 0 and 1000000, got -1',
    ],
  ])('rejects %j', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(message);
    expect(() => createTransport(options as never)).toThrow(message);
  });

  it('rejects Windows engines on Linux with a clear message', () => {
    expect(() => createTransport({ engine: 'iocp' })).toThrow(/engine 'iocp' is Windows only/);
  });
});

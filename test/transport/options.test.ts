/** Option validation: precise messages before anything reaches native code; the documented defaults. */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../framework/errors';
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
    // Big frames arrive owned only where the batch is copied anyway (docs/boundary.md "Detached payloads").
    expect(resolveOptions({}).ownedFrameBytes).toBe(0);
    expect(resolveOptions({ ioThreads: 2 }).ownedFrameBytes).toBe(32 * 1024);
    expect(resolveOptions({ ownedFrameBytes: 4096 }).ownedFrameBytes).toBe(4096);
  });

  it.each([
    [{ maxFrameBytes: 5 }, 'maxFrameBytes must be an integer from 10 to 67108864 (got 5)'],
    [
      { maxFrameBytes: 64 * 1024 * 1024 + 1 },
      'maxFrameBytes must be an integer from 10 to 67108864 (got 67108865)',
    ],
    [{ maxFrameBytes: 1.5 }, 'maxFrameBytes must be an integer from 10 to 67108864 (got 1.5)'],
    [{ ioThreads: -1 }, 'ioThreads must be an integer from 0 to 64 (got -1)'],
    [{ ownedFrameBytes: -1 }, 'ownedFrameBytes must be an integer from 0 to 67108864 (got -1)'],
    [{ ioThreads: '2' }, 'ioThreads must be an integer from 0 to 64 (got "2")'],
    [{ frameTimeoutMs: NaN }, 'frameTimeoutMs must be an integer from 0 to 2147483647 (got NaN)'],
    [{ maxConnections: 0 }, 'maxConnections must be an integer from 1 to 1000000 (got 0)'],
    [
      { sendSoftLimit: 2048, sendHardLimit: 1024 },
      'sendHardLimit must be at least sendSoftLimit (2048) (got 1024)',
    ],
    [{ engine: 'kqueue' }, 'engine must be one of auto, epoll, uring, iocp, rio, node (got "kqueue")'],
    [{ uringEntries: 100 }, 'uringEntries must be a power of two from 1 to 32768 (got 100)'],
    [
      { maxConnectionsPerAddress: -1 },
      'maxConnectionsPerAddress must be an integer from 0 to 1000000 (got -1)',
    ],
    [{ websocket: 'yes' }, 'websocket must be a boolean (got "yes")'],
    [{ wsPath: 'game' }, "wsPath must be a path starting with '/' (no spaces, '?' or '#') (got \"game\")"],
    [{ origins: 'http://a' }, 'origins must be an array of non-empty strings (got "http://a")'],
    [{ staticDir: '' }, 'staticDir must be a non-empty string (got "")'],
    [{ maxFrameByte: 1000 }, 'unknown option maxFrameByte'],
  ])('rejects %j', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(OptionError);
    expect(() => resolveOptions(options as never)).toThrow(`transport options: ${message}`);
    expect(() => createTransport(options as never)).toThrow(`transport options: ${message}`);
  });

  it('rejects Windows engines on Linux with a clear message', () => {
    expect(() => createTransport({ engine: 'iocp' })).toThrow(/engine 'iocp' is Windows only/);
  });
});

/**
 * The addon's argument checks on Engine.listen / Engine.connect (addon/engine_wrap.cc): the wrong types give
 * a TypeError naming the signature, values out of range a RangeError naming the bounds; the engine keeps
 * working afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { binding, type RawEngine } from './epoll-harness';

let engine: RawEngine | undefined;
afterEach(() => {
  engine?.shutdown();
  engine = undefined;
});

function newEngine(): RawEngine {
  engine = new binding.Engine({ engine: 'epoll' }, () => {});
  return engine;
}

describe('Engine argument checks', () => {
  it('listen: TypeError for wrong types, RangeError for port or backlog out of range', () => {
    const e = newEngine();
    const call = (...args: unknown[]) => (e.listen as (...a: unknown[]) => unknown)(...args);
    expect(() => call('127.0.0.1', '0', 16)).toThrow(TypeError);
    expect(() => call('127.0.0.1', 0)).toThrow(
      /Engine\.listen\(host: string, port: number, backlog: number\)/,
    );
    expect(() => call('127.0.0.1', 65536, 16)).toThrow(RangeError);
    expect(() => call('127.0.0.1', -1, 16)).toThrow(/port must be 0\.\.65535 and backlog 1\.\.65535/);
    expect(() => call('127.0.0.1', 0, 0)).toThrow(RangeError);
    expect(() => call('127.0.0.1', 0, 65536)).toThrow(RangeError);
    const { port } = e.listen('127.0.0.1', 0, 16);
    expect(port).toBeGreaterThan(0);
  });

  it('connect: TypeError for wrong types, RangeError for port or timeout out of range', () => {
    const e = newEngine();
    const call = (...args: unknown[]) => (e.connect as (...a: unknown[]) => unknown)(...args);
    expect(() => call(1, 80, 0)).toThrow(/Engine\.connect\(host: string, port: number, timeoutMs: number\)/);
    expect(() => call('127.0.0.1', 0, 0)).toThrow(/port must be 1\.\.65535 and timeoutMs >= 0/);
    expect(() => call('127.0.0.1', 80, -1)).toThrow(RangeError);
    expect(() => call('127.0.0.1', 80, 2 ** 31)).toThrow(RangeError);
    const { port } = e.listen('127.0.0.1', 0, 16);
    expect(e.connect('127.0.0.1', port, 1000)).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { startChatServer } from '../../samples/chat/server';
import { adminOption, FlagError } from '../../samples/common/flags';
import { startEchoServer } from '../../samples/echo/server';
import { startGridServer } from '../../samples/grid/server';

describe('--admin-port on the sample servers', () => {
  it('is off by default and refuses a bad port', () => {
    expect(adminOption('')).toBeUndefined();
    expect(adminOption('0')).toEqual({ port: 0 });
    expect(() => adminOption('70000')).toThrow(FlagError);
    expect(() => adminOption('x')).toThrow(/--admin-port needs a port/);
  });

  it.each([
    ['echo', startEchoServer],
    ['chat', startChatServer],
    ['grid', startGridServer],
  ])('%s server serves /readyz and /metrics on the admin port', async (_name, start) => {
    const { server } = await start({ port: 0, engine: 'node', adminPort: '0', logLevel: 'warn' });
    try {
      expect(server.admin?.port).toBeGreaterThan(0);
      expect((await fetch(`${server.admin?.url}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${server.admin?.url}/metrics`)).text()).toContain('fastport_sessions{');
    } finally {
      await server.stop();
    }
    const off = await start({ port: 0, engine: 'node', logLevel: 'warn' });
    expect(off.server.admin).toBeUndefined();
    await off.server.stop();
  });
});

import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { topMain } from '../../framework/admin/top/top-cli';
import { runTop, sparkline, topScreen, TopError } from '../../framework/admin/top/top';
import { EchoReq } from '../../samples/echo/generated/packets';
import { type AdminFixture, startAdminServer } from './support/fixture';

class Screens extends Writable {
  readonly written: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.written.push(chunk.toString());
    done();
  }
}

describe('fastport top', () => {
  let fixture: AdminFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('shows sessions, rooms, rates, percentiles and closes from a running server', async () => {
    const token = 'top-test-token-0123456789';
    fixture = await startAdminServer('node', { admin: { port: 0, token } });
    const f = fixture;
    const client = await f.connect();
    await client.request(EchoReq, { data: Buffer.from('room:lobby') });
    const leaver = await f.connect();
    await f.post(`/api/sessions/${leaver.sessionId}/kick`, {}, token);
    await expect
      .poll(async () => {
        await client.request(EchoReq, { data: Buffer.from('x') });
        return topScreen(f.admin, token);
      })
      .toMatch(/handler {4}p50 [\d.]+ ms {3}p99 [\d.]+ ms/);
    const screen = await topScreen(f.admin, token);
    expect(screen).toContain('engine node  accepting');
    expect(screen).toMatch(/^sessions {3}1 {4}rooms 1$/m);
    expect(screen).toMatch(/^closes {5}kicked 1$/m);
    expect(screen).toMatch(/^msgs\/s {5}in \d+/m);

    const out = new Screens();
    await runTop({ url: f.admin, token, intervalMs: 100, screens: 2, out });
    expect(out.written).toHaveLength(2);
    expect(out.written[1]).toContain('fastport top');
  });

  it('says what is wrong when the listener is unreachable or wants a token', async () => {
    fixture = await startAdminServer('node', { admin: { port: 0, token: 'top-test-token-0123456789' } });
    await expect(topScreen(fixture.admin)).rejects.toThrow(/wants a bearer token/);
    const port = fixture.server.admin?.port;
    await fixture.close();
    fixture = undefined;
    await expect(topScreen(`http://127.0.0.1:${port}`)).rejects.toBeInstanceOf(TopError);
  });

  it('exits 0 after one screen with --once, 2 on bad flags, 1 when the server cannot be read', async () => {
    fixture = await startAdminServer('node');
    expect(await topMain(['--url', fixture.admin, '--once'])).toBe(0);
    expect(await topMain(['--interval', '5'])).toBe(2);
    expect(await topMain(['--colour'])).toBe(2);
    const port = fixture.server.admin?.port;
    await fixture.close();
    fixture = undefined;
    expect(await topMain(['--url', `http://127.0.0.1:${port}`, '--once'])).toBe(1);
  });

  it('draws a sparkline scaled to its maximum', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▁▂▄█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });
});

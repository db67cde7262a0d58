/** The runner's tables: every scenario names rows that exist, and rows run only where they belong. */
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../bench/runner/cli';
import { SCENARIOS } from '../../bench/runner/scenarios';
import { SERVERS, serversFor } from '../../bench/runner/servers';

const names = SERVERS.map((row) => row.name);

describe('bench runner tables', () => {
  it('names only existing rows in every scenario, each baseline among the rows it runs', () => {
    for (const scenario of SCENARIOS) {
      for (const name of scenario.servers ?? []) expect(names, `${scenario.id}: ${name}`).toContain(name);
      const kind = scenario.kind === 'memory' ? 'echo' : scenario.kind;
      const ran = serversFor(kind, scenario.servers).map((row) => row.name);
      for (const baseline of scenario.baselines)
        expect(ran, `${scenario.id}: ${baseline}`).toContain(baseline);
    }
  });

  it('keeps the WebSocket and resume rows out of the scenarios that do not name them', () => {
    const a = serversFor('echo', SCENARIOS.find((s) => s.id === 'a')?.servers).map((row) => row.name);
    expect(a).toContain('fastport-epoll');
    expect(a).not.toContain('fastport-epoll-ws');
    expect(a).not.toContain('ws-fullpath');
    expect(a).not.toContain('fastport-epoll-noresume');
    for (const row of SERVERS.filter((r) => r.wsPath !== undefined)) expect(row.listedOnly).toBe(true);
  });

  it('takes the idle connection count for the memory scenarios', () => {
    expect(parseCli([]).idleConns).toBe(10_000);
    expect(parseCli(['--idle-conns', '1000']).idleConns).toBe(1000);
    expect(() => parseCli(['--idle-conns', '0'])).toThrow('--idle-conns: expected a whole number >= 1');
    expect(() => parseCli(['--idle-conns', '1'])).toThrow('--idle-conns: at least 2 (one per burst)');
  });
});

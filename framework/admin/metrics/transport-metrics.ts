import type { Registry } from 'prom-client';
import type { TransportStats } from '../../transport/transport';
import type { AdminTarget } from '../admin-target';
import { ReadMetric } from './read-metric';

/** transport.stats() names that are levels, not running totals. */
const GAUGES = new Set([
  'sessions',
  'recvBuffersHeld',
  'sendBytesPending',
  'uringSendSlicesInUse',
  'winRecvsPosted',
  'winSendsPosted',
]);

/** The four totals every engine keeps, under the names dashboards know. */
const TRAFFIC: Record<string, [name: string, help: string]> = {
  framesIn: ['fastport_frames_received_total', 'Frames received from clients'],
  framesOut: ['fastport_frames_sent_total', 'Frames queued to clients'],
  bytesIn: ['fastport_bytes_received_total', 'Bytes received from clients'],
  bytesOut: ['fastport_bytes_sent_total', 'Bytes the kernel accepted for clients'],
};

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The engine's own counters (transport.stats(), docs/boundary.md), read at scrape time: the traffic totals
 * above, and every other figure as fastport_transport_<name>[_total]; the engine is fastport_engine_info's label.
 */
export function transportMetrics(registry: Registry, target: AdminTarget): void {
  const { transport } = target;
  // One stats() call serves every family of one scrape: a scrape reads them all in one turn of the event
  // loop, and the next turn (the next scrape, even 1 ms later) reads fresh figures.
  let cached: TransportStats | undefined;
  const read = (stat: string): number => {
    if (cached === undefined) {
      cached = transport.stats();
      setImmediate(() => (cached = undefined));
    }
    return Number(cached[stat] ?? 0);
  };
  for (const [stat, [name, help]] of Object.entries(TRAFFIC))
    new ReadMetric(registry, name, help, 'counter', () => [{ value: read(stat) }]);
  new ReadMetric(registry, 'fastport_engine_info', 'The network engine in use (value 1)', 'gauge', () => [
    { labels: { engine: transport.engine }, value: 1 },
  ]);
  const stats = transport.stats();
  for (const [stat, value] of Object.entries(stats)) {
    if (typeof value !== 'number' || stat in TRAFFIC) continue;
    const gauge = GAUGES.has(stat);
    const name = `fastport_transport_${snake(stat)}${gauge ? '' : '_total'}`;
    const help = `transport.stats().${stat} of the engine (${gauge ? 'a level' : 'a running total'})`;
    new ReadMetric(registry, name, help, gauge ? 'gauge' : 'counter', () => [{ value: read(stat) }]);
  }
}

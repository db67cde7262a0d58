/** Starts a transport listening on 127.0.0.1 with a Recorder, and tears it down with contract checks. */
import { vi } from 'vitest';
import type { Transport, TransportOptions } from '../../../framework/transport';
import type { Implementation } from './implementations';
import { Recorder } from './recorder';

export interface Server {
  transport: Transport;
  rec: Recorder;
  port: number;
  listener: number;
}

export async function startServer(impl: Implementation, options: TransportOptions = {}): Promise<Server> {
  const transport = impl.create(options);
  const rec = new Recorder();
  transport.setHandler(rec);
  const { listener, port } = await transport.listen('127.0.0.1', 0);
  return { transport, rec, port, listener };
}

/** Resolves on the next event-loop turn (lets queued sends flush and events arrive). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls `check` every 5 ms (for state with no event of its own, e.g. counters); rejects after `timeoutMs`. */
export function poll(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return vi.waitFor(
    () => {
      if (!check()) throw new Error(`still waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 5 },
  );
}

/**
 * `fastport top`: a running server's figures in a terminal, read from its admin listener (/api/status and
 * /api/history), refreshed every second. Self-contained (fetch only) so the CLI can load it cheaply.
 */

export interface TopOptions {
  /** The admin listener, e.g. http://127.0.0.1:9100. */
  url: string;
  token?: string;
  /** Default 1000 ms. */
  intervalMs?: number;
  /** Stop after this many screens (default: until the process is stopped). */
  screens?: number;
  /** Where screens go (default process.stdout); on a TTY each screen replaces the last. */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** What top reads (a subset of the admin API's answers). */
export interface TopStatus {
  uptimeSeconds: number;
  engine: string;
  accepting: boolean;
  sessions: number;
  rooms: number;
  now: TopSample | null;
  closeReasons: Record<string, number>;
  protocolErrors: Record<string, number>;
  rateLimited: number;
}

export interface TopSample {
  msgsInPerSec: number;
  msgsOutPerSec: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export class TopError extends Error {}

const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of the values, scaled to their maximum. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 ? BARS[0] : BARS[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

function figure(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined) return '-';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M${unit}`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k${unit}`;
  return `${Math.round(value * 1000) / 1000}${unit}`;
}

function nonZero(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** One screen of top: status, the last second, and the last minute of msgs/s in as a sparkline. */
export function renderTop(url: string, status: TopStatus, lastMinuteIn: readonly number[]): string {
  const s = status.now;
  return [
    `fastport top  ${url}  engine ${status.engine}  ${status.accepting ? 'accepting' : 'NOT accepting'}  up ${status.uptimeSeconds} s`,
    '',
    `sessions   ${status.sessions}    rooms ${status.rooms}`,
    `msgs/s     in ${figure(s?.msgsInPerSec)}   out ${figure(s?.msgsOutPerSec)}`,
    `bytes/s    in ${figure(s?.bytesInPerSec, 'B')}   out ${figure(s?.bytesOutPerSec, 'B')}`,
    `handler    p50 ${figure(s?.p50Ms, ' ms')}   p99 ${figure(s?.p99Ms, ' ms')}`,
    `in, 60 s   ${sparkline(lastMinuteIn)}`,
    '',
    `closes     ${nonZero(status.closeReasons)}`,
    `refused    ${nonZero({ ...status.protocolErrors, rate_limited: status.rateLimited })}`,
    '',
  ].join('\n');
}

async function getJson<T>(url: string, path: string, token: string | undefined): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(path, url), {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? String(error);
    throw new TopError(`cannot reach the admin listener at ${url}: ${cause}`);
  }
  if (response.status === 401)
    throw new TopError(`${url} wants a bearer token (--token or FASTPORT_ADMIN_TOKEN)`);
  if (!response.ok) throw new TopError(`${url}${path} answered HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** One screen's text, fetched now. */
export async function topScreen(url: string, token?: string): Promise<string> {
  const [status, history] = await Promise.all([
    getJson<TopStatus>(url, '/api/status', token),
    getJson<{ samples: TopSample[] }>(url, `/api/history?since=${Date.now() - 60_000}`, token),
  ]);
  return renderTop(
    url,
    status,
    history.samples.map((sample) => sample.msgsInPerSec),
  );
}

/** Prints a screen every interval until `screens` were shown (or forever); a fetch failure ends it. */
export async function runTop(options: TopOptions): Promise<void> {
  const out = options.out ?? process.stdout;
  const intervalMs = options.intervalMs ?? 1000;
  for (let shown = 0; options.screens === undefined || shown < options.screens; shown++) {
    if (shown > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const screen = await topScreen(options.url, options.token);
    out.write(out.isTTY ? `\x1b[H\x1b[2J${screen}` : `${screen}\n`);
  }
}

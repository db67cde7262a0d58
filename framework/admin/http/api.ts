import { Notice } from '../../protocol/framework-messages';
import type { EngineName, SessionId } from '../../transport/transport';
import { membersByRoom, viewSession, type AdminTarget, type SessionView } from '../admin-target';
import { sessionClockMs } from '../../server/session-clock';
import type { History, Sample } from '../history';
import type { ServerMetrics } from '../metrics/server-metrics';
import { HttpError, optionalText } from './respond';

/** Paging of list endpoints: `limit` defaults to 50 and is clamped to 1..500, `offset` to >= 0. */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 500;

export interface Page {
  offset: number;
  limit: number;
}

function integerParam(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value)) throw new HttpError(400, `${name} must be an integer, got ${text}`);
  return value;
}

export function pageOf(query: URLSearchParams): Page {
  const limit = Math.min(PAGE_MAX, Math.max(1, integerParam(query, 'limit', PAGE_DEFAULT)));
  const offset = Math.max(0, integerParam(query, 'offset', 0));
  return { offset, limit };
}

export interface RoomView {
  id: string;
  type: string;
  members: number;
}

export interface Status {
  uptimeSeconds: number;
  startedAt: string;
  engine: EngineName;
  accepting: boolean;
  sessions: number;
  rooms: number;
  /** The last full second (zeros before the first one). */
  now: Sample | null;
  /** Closed sessions since start, by reason. */
  closeReasons: Record<string, number>;
  protocolErrors: Record<string, number>;
  rateLimited: number;
  transport: Record<string, number | string>;
}

/** The JSON admin API: what each route returns or does, independent of HTTP. */
export class AdminApi {
  private readonly startedAt = Date.now();

  constructor(
    private readonly target: AdminTarget,
    private readonly metrics: ServerMetrics,
    private readonly recent: History,
  ) {}

  status(): Status {
    let sessions = 0;
    for (const _ of this.target.connections()) sessions++;
    return {
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      startedAt: new Date(this.startedAt).toISOString(),
      engine: this.target.engine,
      accepting: this.target.accepting,
      sessions,
      rooms: [...this.target.rooms()].length,
      now: this.recent.latest() ?? null,
      closeReasons: { ...this.metrics.closes },
      protocolErrors: { ...this.metrics.protocolErrors },
      rateLimited: this.metrics.rateLimitedFrames,
      transport: this.target.transport.stats(),
    };
  }

  sessions(page: Page): { total: number; offset: number; limit: number; sessions: SessionView[] } {
    const now = sessionClockMs();
    const sessions: SessionView[] = [];
    let index = 0;
    for (const connection of this.target.connections()) {
      if (index >= page.offset && sessions.length < page.limit) sessions.push(viewSession(connection, now));
      index++;
    }
    return { total: index, ...page, sessions };
  }

  /** Rooms hosted here, with their members on this server. */
  rooms(page: Page): { total: number; offset: number; limit: number; rooms: RoomView[] } {
    const members = membersByRoom(this.target);
    const rooms: RoomView[] = [];
    let index = 0;
    for (const room of this.target.rooms()) {
      if (index >= page.offset && rooms.length < page.limit)
        rooms.push({ id: room.id, type: room.type, members: members.get(room.id) ?? 0 });
      index++;
    }
    return { total: index, ...page, rooms };
  }

  history(since: number): { samples: Sample[] } {
    return { samples: this.recent.list(since) };
  }

  /** Sends the session a Kick with the reason, then closes it `kicked`. */
  kick(idText: string, body: Record<string, unknown>): { kicked: SessionId; reason: string } {
    const id = Number(idText);
    const session = Number.isSafeInteger(id) && id > 0 ? this.target.session(id) : undefined;
    if (session === undefined || session.closing) throw new HttpError(404, `no open session ${idText}`);
    const reason = optionalText(body, 'reason', 200) || 'kicked by an operator';
    session.kick(reason);
    return { kicked: id, reason };
  }

  /** Pushes a Notice to every session past its handshake. */
  notice(body: Record<string, unknown>): { delivered: number } {
    const text = optionalText(body, 'text', 1000);
    if (text === undefined || text.trim() === '') throw new HttpError(400, 'text must be a non-empty string');
    const ids: SessionId[] = [];
    for (const connection of this.target.connections())
      if (connection.phase === 'open' && !connection.session.closing) ids.push(connection.session.id);
    if (ids.length > 0) this.target.transport.broadcast(ids, Notice.id, 0, Notice.encode({ text }));
    return { delivered: ids.length };
  }
}

import { collectDefaultMetrics, Registry } from 'prom-client';
import type { HandlerEntry } from '../../handlers/explorer';
import type { ProtocolErrorKind, ServerObserver, TurnRecorder } from '../../server/observer';
import { CLOSE_REASONS, type CloseReason } from '../../transport/close-reason';
import { membersByRoom, type AdminTarget } from '../admin-target';
import { HandlerHistogram } from './handler-histogram';
import { ReadMetric, type ReadValue } from './read-metric';
import { transportMetrics } from './transport-metrics';

const PROTOCOL_ERROR_KINDS: readonly ProtocolErrorKind[] = [
  'bad_handshake',
  'bad_payload',
  'unknown_message',
  'unauthenticated',
];
const HANDLER_FAILURE_KINDS = ['game_error', 'exception', 'timeout'] as const;
type HandlerFailureKind = (typeof HANDLER_FAILURE_KINDS)[number];

/** Counts per label value, every value present from the start (a series at 0 rather than none). */
function tallyOf<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

function asValues(label: string, tally: Record<string, number>): ReadValue[] {
  return Object.entries(tally).map(([value, count]) => ({ labels: { [label]: value }, value: count }));
}

/**
 * The server's Prometheus metrics (docs/operations.md lists them): the ServerObserver the server reports
 * to, in its own Registry (one per server), with Node's process and event-loop metrics under `fastport_`.
 */
export class ServerMetrics implements ServerObserver {
  readonly registry = new Registry();
  readonly handlerTimes: HandlerHistogram;
  readonly closes = tallyOf<CloseReason>(CLOSE_REASONS.filter((r): r is CloseReason => r !== 'none'));
  readonly protocolErrors = tallyOf(PROTOCOL_ERROR_KINDS);
  readonly handlerFailures = tallyOf<HandlerFailureKind>(HANDLER_FAILURE_KINDS);
  rateLimitedFrames = 0;
  adminAuthFailures = 0;

  constructor(private readonly target: AdminTarget) {
    collectDefaultMetrics({ register: this.registry, prefix: 'fastport_' });
    // prom-client names these gauges *_total, which Prometheus reserves for counters (promtool refuses them);
    // the per-type gauges fastport_nodejs_active_{handles,requests,resources} carry the same figures.
    for (const kind of ['handles', 'requests', 'resources'])
      this.registry.removeSingleMetric(`fastport_nodejs_active_${kind}_total`);
    this.handlerTimes = new HandlerHistogram(this.registry);
    this.sessionMetrics();
    this.counterMetrics();
    transportMetrics(this.registry, target);
  }

  handlerTurns(entry: HandlerEntry): TurnRecorder {
    return this.handlerTimes.forMessage(entry.type.name);
  }

  handlerFailed(kind: HandlerFailureKind): void {
    this.handlerFailures[kind]++;
  }

  protocolError(kind: ProtocolErrorKind): void {
    this.protocolErrors[kind]++;
  }

  rateLimited(): void {
    this.rateLimitedFrames++;
  }

  closed(reason: CloseReason): void {
    this.closes[reason]++;
  }

  /** The Prometheus text exposition. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  private sessionMetrics(): void {
    const { registry, target } = this;
    new ReadMetric(registry, 'fastport_sessions', 'Open sessions by phase', 'gauge', () => {
      const phases = { handshake: 0, open: 0, closing: 0 };
      for (const connection of target.connections()) phases[connection.phase]++;
      return asValues('phase', phases);
    });
    new ReadMetric(registry, 'fastport_rooms', 'Rooms that exist', 'gauge', () => [
      { value: [...target.rooms()].length },
    ]);
    new ReadMetric(registry, 'fastport_room_members', 'Room memberships (sessions in rooms)', 'gauge', () => {
      let members = 0;
      for (const count of membersByRoom(target).values()) members += count;
      return [{ value: members }];
    });
    new ReadMetric(registry, 'fastport_mailbox_queued', 'Frames waiting in session mailboxes', 'gauge', () =>
      this.mailboxes('sum'),
    );
    new ReadMetric(
      registry,
      'fastport_mailbox_queued_max',
      'Frames waiting in the fullest session mailbox',
      'gauge',
      () => this.mailboxes('max'),
    );
    new ReadMetric(
      registry,
      'fastport_mailbox_paused_sessions',
      'Sessions whose reading is paused because their mailbox is full',
      'gauge',
      () => this.mailboxes('paused'),
    );
  }

  private mailboxes(figure: 'sum' | 'max' | 'paused'): ReadValue[] {
    let sum = 0;
    let max = 0;
    let paused = 0;
    for (const connection of this.target.connections()) {
      const size = connection.queued;
      sum += size;
      if (size > max) max = size;
      if (connection.overflowSince !== undefined) paused++;
    }
    return [{ value: figure === 'sum' ? sum : figure === 'max' ? max : paused }];
  }

  private counterMetrics(): void {
    const { registry } = this;
    new ReadMetric(registry, 'fastport_session_closes_total', 'Closed sessions by reason', 'counter', () =>
      asValues('reason', this.closes),
    );
    new ReadMetric(
      registry,
      'fastport_protocol_errors_total',
      'Frames refused before a handler ran, by kind',
      'counter',
      () => asValues('kind', this.protocolErrors),
    );
    new ReadMetric(
      registry,
      'fastport_rate_limited_total',
      'Frames refused by the per-session rate limit',
      'counter',
      () => [{ value: this.rateLimitedFrames }],
    );
    new ReadMetric(
      registry,
      'fastport_handler_errors_total',
      'Handler turns that failed, by kind',
      'counter',
      () => asValues('kind', this.handlerFailures),
    );
    new ReadMetric(
      registry,
      'fastport_admin_auth_failures_total',
      'Admin requests refused for a missing or wrong bearer token',
      'counter',
      () => [{ value: this.adminAuthFailures }],
    );
  }
}

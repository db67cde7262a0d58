import type { RepeatedEventLog } from '../admin/repeated-events';
import { ErrorCodes, GameError } from '../errors';
import type { HandlerEntry } from '../handlers/explorer';
import { loginRequired } from '../handlers/guards';
import type { HandlerContext } from '../handlers/middleware';
import type { Matchmaker } from '../rooms/matchmaker';
import {
  ErrorMessage,
  Hello,
  HELLO_MAGIC,
  Ping,
  Pong,
  PROTOCOL_VERSION,
  Welcome,
} from '../protocol/framework-messages';
import { encodeForSend, PayloadError, type MessageType } from '../protocol/message-type';
import type { CloseReason } from '../transport/close-reason';
import type { PayloadEncoder, Transport } from '../transport/transport';
import type { Connection, InboundFrame } from './connection';
import type { ProtocolErrorKind, ServerObserver, TurnRecorder } from './observer';
import type { SessionLimits } from './options';
import type { Session } from './session';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A table row with its middleware chain, composed once at start-up (undefined: no middleware applies), and
 * the observer's recorder of its turns (resolved once, so a turn looks nothing up).
 */
export interface Route extends HandlerEntry {
  /** The login gate applies (the handler is not `public`): anonymous sessions are refused before any middleware. */
  readonly gated: boolean;
  readonly chain: ((context: HandlerContext) => unknown) | undefined;
  readonly turns: TurnRecorder;
  /** The response type as a PayloadEncoder (payloadEncoderOf), when the handler has a response. */
  readonly replyEncoder: PayloadEncoder<unknown> | undefined;
}

export type RouteTable = ReadonlyMap<number, Route>;

/** What the pipeline needs from the server. */
export interface PipelineHost {
  readonly transport: Transport;
  readonly limits: SessionLimits;
  /**
   * The application message with this id, for naming ids in errors. A method, not a getter: an object
   * literal with an accessor is a dictionary-mode object, and every other field read of it per frame (the
   * transport for each reply) would be a generic lookup.
   */
  messageType(id: number): MessageType<unknown> | undefined;
  /** Where room-scoped handlers find the session's room. */
  readonly rooms: Matchmaker;
  /** Told about handler times and refused frames (metrics). */
  readonly observer: ServerObserver;
  /** Where warnings a client can cause go (summarised, so a client cannot flood the log). */
  readonly events: RepeatedEventLog;
  closeConnection(connection: Connection, reason: CloseReason): void;
  /** A session completed its handshake. */
  sessionOpened(session: Session<unknown, object>): void;
  /**
   * Session resume, when on: handles a Hello's resume fields before the Welcome (true = the session was
   * resumed and the Welcome sent; else it may add resume fields to `welcome`).
   */
  resumeHello?(connection: Connection, hello: Hello, seq: number, welcome: Welcome): boolean;
}

/**
 * What happens to one frame of a session: the handshake, Ping, and (inside the session's mailbox) handler
 * lookup, decoding, the login gate, the middleware chain, the handler call in the session's turn
 * (or in its room's mailbox for a room-scoped handler), its response or Error frame.
 */
export class FramePipeline {
  /** The routes by message id (16-bit): an array index per frame instead of a hash lookup. */
  private routesById: (Route | undefined)[] = [];

  constructor(private readonly host: PipelineHost) {}

  /** The id -> route table built at start-up, before any frame arrives (until then: none). */
  useRoutes(table: RouteTable): void {
    // A frame's id is 16-bit: a route under any other id cannot be reached from the wire.
    const wireIds = [...table.keys()].filter((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff);
    const highest = wireIds.reduce((a, b) => Math.max(a, b), -1);
    const byId = new Array<Route | undefined>(highest + 1).fill(undefined);
    for (const id of wireIds) byId[id] = table.get(id);
    this.routesById = byId;
  }

  handshake(connection: Connection, msgId: number, seq: number, payload: Uint8Array): void {
    if (msgId !== Hello.id) {
      this.refuseHandshake(connection, seq, msgId, ErrorCodes.BAD_HANDSHAKE, 'the first frame must be Hello');
      return;
    }
    let hello: Hello;
    try {
      hello = Hello.decode(payload);
    } catch (error) {
      this.refuseHandshake(connection, seq, msgId, ErrorCodes.BAD_PAYLOAD, describe(error));
      return;
    }
    if (hello.magic !== HELLO_MAGIC) {
      const text = 'Hello has the wrong magic number';
      this.refuseHandshake(connection, seq, msgId, ErrorCodes.BAD_HANDSHAKE, text);
      return;
    }
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      const text = `server speaks protocol ${PROTOCOL_VERSION}, client sent ${hello.protocolVersion}`;
      this.refuseHandshake(connection, seq, msgId, ErrorCodes.VERSION_MISMATCH, text);
      return;
    }
    connection.phase = 'open';
    const { session } = connection;
    const welcome = Welcome.create({
      protocolVersion: PROTOCOL_VERSION,
      sessionId: session.id,
      heartbeatIntervalMs: this.host.limits.heartbeatIntervalMs,
    });
    if (this.host.resumeHello?.(connection, hello, seq, welcome)) return;
    this.host.transport.send(session.id, Welcome.id, seq, encodeForSend(Welcome, welcome));
    this.host.sessionOpened(session);
  }

  private refuseHandshake(
    connection: Connection,
    seq: number,
    msgId: number,
    code: string,
    text: string,
  ): void {
    this.refused(connection, 'bad_handshake', seq, msgId, code, text);
    this.host.closeConnection(connection, 'protocol_error');
  }

  /** Answers a frame refused before any handler ran with an Error frame, and counts it. */
  private refused(
    connection: Connection,
    kind: ProtocolErrorKind,
    seq: number,
    msgId: number,
    code: string,
    text: string,
  ): void {
    this.host.observer.protocolError(kind);
    this.sendError(connection, seq, msgId, code, text);
  }

  answerPing(connection: Connection, seq: number, payload: Uint8Array): void {
    let ping: Ping;
    try {
      ping = Ping.decode(payload);
    } catch (error) {
      this.badPayload(connection, seq, Ping.id, error);
      return;
    }
    this.host.transport.send(connection.session.id, Pong.id, seq, encodeForSend(Pong, ping));
  }

  readonly process = (connection: Connection, frame: InboundFrame): void | Promise<void> => {
    if (connection.phase === 'closing' || connection.session.closing) return;
    const route = this.routesById[frame.msgId];
    if (route === undefined) {
      this.unknownMessage(connection, frame);
      return;
    }
    const { session } = connection;
    let message: unknown;
    try {
      message = route.type.decode(frame.payload, frame.owned);
    } catch (error) {
      this.badPayload(connection, frame.seq, frame.msgId, error);
      return;
    }
    session.beginTurn();
    const started = route.turns.begin();
    let result: unknown;
    try {
      if (route.gated && !session.authenticated) throw loginRequired(route);
      result =
        route.chain === undefined
          ? this.call(route, message, session)
          : route.chain({ session, message, seq: frame.seq, handler: route });
    } catch (error) {
      session.endTurn(false);
      if (started >= 0) route.turns.ended(started);
      throw error;
    }
    if (started >= 0) this.timeTurn(route, started, result);
    if (isThenable(result)) {
      const settled = Promise.resolve(result).then(
        (value) => {
          session.endTurn(true);
          return value;
        },
        (error: unknown) => {
          session.endTurn(false);
          throw error;
        },
      );
      const limitMs = this.host.limits.handlerTimeoutMs;
      if (limitMs > 0) return this.withinTurnLimit(connection, route, frame, settled, limitMs);
      return settled.then((value) => this.reply(connection, route, frame, value));
    }
    session.endTurn(true);
    this.reply(connection, route, frame, result);
  };

  /** Ends a timed turn: now, or when the handler's promise settles. */
  private timeTurn(route: Route, started: number, result: unknown): void {
    if (!isThenable(result)) {
      route.turns.ended(started);
      return;
    }
    const done = (): void => route.turns.ended(started);
    result.then(done, done);
  }

  /** The innermost step: the controller method, or the room-scoped method in the session's room. */
  private call(route: Route, message: unknown, session: Session<unknown, object>): unknown {
    if (route.roomType === undefined) return route.invoke(message, session);
    const room = this.host.rooms.roomOf(session, route.roomType);
    if (room === undefined)
      throw new GameError(
        ErrorCodes.NOT_IN_ROOM,
        `${route.type.name} is handled by ${route.roomType} rooms: join one first`,
      );
    return room.handle(route, message, session);
  }

  /** The last step of every middleware chain. */
  readonly invokeRoute = (context: HandlerContext): unknown =>
    this.call(context.handler as Route, context.message, context.session);

  /**
   * Bounds a handler turn: past `limitMs` the client gets Error HANDLER_TIMEOUT and the session closes
   * `server_close` (its actor cannot go on without breaking one-at-a-time); a late result is dropped.
   */
  private withinTurnLimit(
    connection: Connection,
    entry: Route,
    frame: InboundFrame,
    result: PromiseLike<unknown>,
    limitMs: number,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        this.host.observer.handlerFailed('timeout');
        const fields = { handler: entry.label, limitMs };
        this.host.events.error(
          `handler_timeout:${entry.label}`,
          connection.session,
          fields,
          'handler turn timed out',
        );
        const text = `the handler did not finish within ${limitMs} ms`;
        this.sendError(connection, frame.seq, frame.msgId, ErrorCodes.HANDLER_TIMEOUT, text);
        this.host.closeConnection(connection, 'server_close');
        resolve();
      }, limitMs);
      Promise.resolve(result).then(
        (value) => {
          clearTimeout(timer);
          if (timedOut) return;
          this.reply(connection, entry, frame, value);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (timedOut) return;
          reject(error);
        },
      );
    });
  }

  private reply(connection: Connection, route: Route, frame: InboundFrame, value: unknown): void {
    const encoder = route.replyEncoder;
    if (encoder === undefined) return;
    const { session } = connection;
    try {
      // Encoded straight into the transport's send buffer where it has one; a big bytes field is sent uncopied.
      this.host.transport.sendEncoded(session.id, route.response!.id, frame.seq, encoder, value);
    } catch (error) {
      session.logger.error({ err: error, handler: route.label }, 'response could not be encoded');
      this.sendError(
        connection,
        frame.seq,
        frame.msgId,
        ErrorCodes.HANDLER_ERROR,
        'the response could not be encoded',
      );
    }
  }

  readonly onHandlerError = (connection: Connection, error: unknown, frame: InboundFrame): void => {
    const label = this.routesById[frame.msgId]?.label;
    if (error instanceof GameError && error.code === ErrorCodes.UNAUTHENTICATED)
      this.host.observer.protocolError('unauthenticated'); // the login gate (a guard) refused it
    else this.host.observer.handlerFailed(error instanceof GameError ? 'game_error' : 'exception');
    if (error instanceof GameError) {
      connection.session.logger.debug({ code: error.code, handler: label }, error.message);
      this.sendError(connection, frame.seq, frame.msgId, error.code, error.message);
    } else {
      const fields = { err: error, handler: label, msgId: frame.msgId };
      this.host.events.error(
        `handler_failed:${label ?? frame.msgId}`,
        connection.session,
        fields,
        'handler failed',
      );
      this.sendError(connection, frame.seq, frame.msgId, ErrorCodes.HANDLER_ERROR, 'the handler failed');
    }
  };

  private unknownMessage(connection: Connection, frame: InboundFrame): void {
    const count = connection.unknownMessages.hit(Date.now());
    const known = this.host.messageType(frame.msgId);
    const text =
      known === undefined
        ? `no message has id ${frame.msgId}`
        : `no handler for ${known.name} (id ${frame.msgId}) on this server`;
    this.refused(connection, 'unknown_message', frame.seq, frame.msgId, ErrorCodes.UNKNOWN_MESSAGE, text);
    if (count >= this.host.limits.unknownMessageLimit) {
      const fields = { msgId: frame.msgId, count };
      this.host.events.warn('unknown_messages', connection.session, fields, 'too many unknown messages');
      this.host.closeConnection(connection, 'protocol_error');
    }
  }

  badPayload(connection: Connection, seq: number, msgId: number, error: unknown): void {
    const text =
      error instanceof PayloadError ? error.message : `cannot decode message ${msgId}: ${describe(error)}`;
    this.host.events.warn('bad_payload', connection.session, { msgId }, text);
    this.refused(connection, 'bad_payload', seq, msgId, ErrorCodes.BAD_PAYLOAD, text);
    this.host.closeConnection(connection, 'protocol_error');
  }

  sendError(connection: Connection, seq: number, messageId: number, code: string, message: string): void {
    this.host.transport.send(
      connection.session.id,
      ErrorMessage.id,
      seq,
      ErrorMessage.encode({ code, message, messageId }),
    );
  }
}

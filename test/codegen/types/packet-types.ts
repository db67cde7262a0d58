// Type-level tests of the generated tables, compiled by tsc (test/codegen/types.test.ts runs it).
// Every `@ts-expect-error` must hit an error, or tsc fails: so the wrong pairings below are proven rejected.
import { expectTypeOf } from 'vitest';
import type {
  MessageOf,
  MessageType,
  RequestType,
  ResponseOf,
} from '../../../framework/protocol/message-type';
import {
  GetStatsReq,
  LoginReq,
  LoginRes,
  Move,
  StatsReply,
  registry,
  type PacketById,
  type ResponseMap,
} from '../fixtures/game/golden/packets';
import { Hello, Ping, Pong, Welcome } from '../../../framework/generated/packets';

// The constants pair each request with its response at the type level.
expectTypeOf<ResponseOf<typeof LoginReq>>().toEqualTypeOf<LoginRes>();
expectTypeOf<ResponseOf<typeof GetStatsReq>>().toEqualTypeOf<StatsReply>();
expectTypeOf<ResponseOf<typeof Hello>>().toEqualTypeOf<Welcome>();
expectTypeOf<ResponseOf<typeof Ping>>().toEqualTypeOf<Pong>();
expectTypeOf<MessageOf<typeof LoginReq>>().toEqualTypeOf<LoginReq>();
expectTypeOf<ResponseOf<typeof Move>>().toBeNever();
expectTypeOf(LoginReq.response).toEqualTypeOf<MessageType<LoginRes>>();
expectTypeOf(LoginReq.kind).toEqualTypeOf<'request'>();
expectTypeOf<ResponseMap['GetStatsReq']>().toEqualTypeOf<StatsReply>();
expectTypeOf<PacketById[100]>().toEqualTypeOf<LoginReq>();
expectTypeOf(registry.get(100)).toEqualTypeOf<MessageType | undefined>();
expectTypeOf(LoginReq.decode(new Uint8Array())).toEqualTypeOf<LoginReq>();
expectTypeOf(LoginReq.create({ user: 'a' })).toEqualTypeOf<LoginReq>();

// @ts-expect-error a wrong pairing does not type-check against the generated constant
export const wrongPair: RequestType<LoginReq, StatsReply> = LoginReq;
// @ts-expect-error a one-way message is not a request
export const notARequest: RequestType = Move;
// @ts-expect-error create() takes the message's own fields only
LoginReq.create({ nope: 1 });

// A handler registration shaped like the framework's @Handler(LoginReq):
// requests must return their response (or a promise of it), one-way messages return void.
type HandlerFn<M> =
  M extends RequestType<infer Req, infer Res>
    ? (req: Req, session: unknown) => Res | Promise<Res>
    : M extends MessageType<infer T>
      ? (msg: T, session: unknown) => void | Promise<void>
      : never;
declare function handle<M extends MessageType>(type: M, fn: HandlerFn<M>): void;

handle(LoginReq, (req) => LoginRes.create({ playerId: req.user.length }));
handle(LoginReq, async () => LoginRes.create());
handle(Move, (msg) => void msg.position);
// @ts-expect-error a StatsReply is not LoginReq's response
handle(LoginReq, () => StatsReply.create());
// @ts-expect-error async handlers are checked too
handle(GetStatsReq, async () => LoginRes.create());
// @ts-expect-error the request's fields are typed
handle(LoginReq, (req) => LoginRes.create({ playerId: req.missingField }));

// A client request shaped like the framework's client.request(LoginReq, {...}).
declare function request<R extends RequestType>(type: R, body: MessageOf<R>): Promise<ResponseOf<R>>;
expectTypeOf(request(LoginReq, LoginReq.create())).resolves.toEqualTypeOf<LoginRes>();
// @ts-expect-error one-way messages cannot be requested
void request(Move, Move.create());
// @ts-expect-error the body must be the request's message
void request(LoginReq, StatsReply.create());

import type { MessageType } from '../protocol/message-type';
import type { Session } from '../server/session';
import type { HandlerOptions } from './decorators';

/** The handler a message goes to, as middleware sees it. */
export interface HandlerInfo {
  readonly type: MessageType<unknown>;
  /** "Controller.method" or "RoomClass.method". */
  readonly label: string;
  readonly options: Readonly<HandlerOptions>;
  /** The room type for a room-scoped handler (it runs in the session's room of that type). */
  readonly roomType: string | undefined;
}

/** One message on its way to its handler. */
export interface HandlerContext {
  // Any user type: middleware serves every handler.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly session: Session<any, any>;
  /** The decoded message. */
  readonly message: unknown;
  /** The frame's seq (0 for a one-way message). */
  readonly seq: number;
  readonly handler: HandlerInfo;
}

/**
 * Runs around a handler: call `next()` to go on (it returns the handler's result, a value or a promise),
 * throw a GameError to answer with an Error frame instead, or return without calling `next` to skip
 * the handler (a request then gets what you return as its response).
 */
export type MiddlewareFunction = (context: HandlerContext, next: () => unknown) => unknown;

/** A middleware that applies to some handlers only (decided once at start-up, not per message). */
export interface Middleware {
  /** Whether it wraps this handler; default all. */
  appliesTo?(handler: HandlerInfo): boolean;
  handle: MiddlewareFunction;
}

export type MiddlewareLike = Middleware | MiddlewareFunction;

function normalize(middleware: MiddlewareLike): Middleware {
  return typeof middleware === 'function' ? { handle: middleware } : middleware;
}

/**
 * Builds one handler's call chain at start-up: the middlewares that apply, outermost first, around
 * `invoke`. Undefined when none applies (the pipeline then calls the handler directly).
 */
export function composeChain(
  middlewares: readonly MiddlewareLike[],
  handler: HandlerInfo,
  invoke: (context: HandlerContext) => unknown,
): ((context: HandlerContext) => unknown) | undefined {
  const chain = middlewares
    .map(normalize)
    .filter((m) => m.appliesTo?.(handler) ?? true)
    .map((m) => m.handle);
  if (chain.length === 0) return undefined;
  let run = invoke;
  for (let i = chain.length - 1; i >= 0; i--) {
    const handle = chain[i];
    const inner = run;
    run = (context) => handle(context, () => inner(context));
  }
  return run;
}

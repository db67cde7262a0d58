import { injectable } from 'inversify';
import type { MessageType, RequestType } from '../protocol/message-type';
import type { Session } from '../server/session';

export interface HandlerOptions {
  /** Reachable by anonymous (not yet authenticated) sessions, e.g. the login handler. Default false. */
  public?: boolean;
  /** Roles the user needs one of (checked by the `roles(...)` middleware; FORBIDDEN otherwise). */
  roles?: readonly string[];
  /** Messages per second and burst per session for this handler (the `rateLimit()` middleware). */
  rateLimit?: { perSecond: number; burst: number };
}

/** What @Handler records; the explorer turns these into the id -> handler table once at start-up. */
export interface HandlerRecord {
  readonly type: MessageType<unknown>;
  readonly method: string | symbol;
  readonly options: Readonly<HandlerOptions>;
}

// Any user type: a handler may declare `session: Session<MyUser>`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySession = Session<any, any>;

/**
 * The only method shape @Handler(M) accepts: a request gets `(req, session, room) => Res | Promise<Res>`,
 * a one-way message `(msg, session, room) => void | Promise<void>`. `room` is passed to handlers of a Room
 * class (the room itself); controllers leave it out.
 */
export type HandlerFunction<M> =
  M extends RequestType<infer Req, infer Res>
    ? (request: Req, session: AnySession, room: never) => Res | Promise<Res>
    : M extends MessageType<infer T>
      ? (message: T, session: AnySession, room: never) => void | Promise<void>
      : never;

const controllers = new WeakSet<object>();
const handlerRecords = new WeakMap<object, HandlerRecord[]>(); // keyed by class prototype

/** Marks a class as a controller: injectable by inversify, its @Handler methods registered at start-up. */
export function Controller(): ClassDecorator {
  return (target) => {
    injectable()(target);
    controllers.add(target);
  };
}

/** Routes message `type` to the decorated method; the method's signature is checked against the type. */
export function Handler<M extends MessageType<unknown>>(type: M, options: HandlerOptions = {}) {
  if (type === null || typeof type !== 'object' || typeof type.decode !== 'function')
    throw new TypeError('@Handler(type) needs a generated message constant (with id, name, decode, encode)');
  if (typeof type.id !== 'number') {
    const name = typeof type.name === 'string' ? type.name : 'this message';
    throw new TypeError(
      `@Handler(${name}): the message has no id. Give it \`option (fastport.id) = N;\` (N from 100) in ` +
        `its .proto, run \`fastport gen\`, and pass the constant from generated/packets`,
    );
  }
  return <F extends HandlerFunction<M>>(
    target: object,
    method: string | symbol,
    _descriptor: TypedPropertyDescriptor<F>,
  ): void => {
    if (typeof target === 'function')
      throw new TypeError(`@Handler(${type.name}) cannot decorate static method ${String(method)}`);
    const records = handlerRecords.get(target) ?? [];
    records.push({ type: type as MessageType<unknown>, method, options: { ...options } });
    handlerRecords.set(target, records);
  };
}

export function isController(target: object): boolean {
  return controllers.has(target);
}

/** The @Handler records of a class and its base classes (own first). */
export function handlersOf(target: object): HandlerRecord[] {
  const all: HandlerRecord[] = [];
  for (let current: object | null = target; current !== null && current !== Function.prototype;) {
    all.push(...(handlerRecords.get(current) ?? []));
    current = Object.getPrototypeOf(current) as object | null;
  }
  return all;
}

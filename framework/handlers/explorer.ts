import type { Container } from 'inversify';
import { HandlerSetupError } from '../errors';
import { FIRST_APPLICATION_ID } from '../protocol/framework-messages';
import type { MessageType, RequestType } from '../protocol/message-type';
import type { Session } from '../server/session';
import { handlersOf, isController } from './decorators';
import type { HandlerInfo } from './middleware';

/** One row of the dispatch table: everything needed per packet, resolved once. */
export interface HandlerEntry extends HandlerInfo {
  /** The paired response for requests; undefined for one-way messages. */
  readonly response: MessageType<unknown> | undefined;
  /** Calls the handler: a controller's bound method, or a room class's method on the given room. */
  readonly invoke: (message: unknown, session: Session<unknown, object>, room?: object) => unknown;
}

export type HandlerTable = ReadonlyMap<number, HandlerEntry>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ControllerClass = abstract new (...args: any[]) => object;

export interface ExploreOptions {
  controllers: readonly ControllerClass[];
  container: Container;
  /** Every application message the server knows (the generated table). */
  messages: ReadonlyMap<number, MessageType<unknown>>;
  /** Room types and their classes: their @Handler methods run in the member's room. */
  rooms?: ReadonlyMap<string, ControllerClass>;
}

type Method = (message: unknown, session: Session<unknown, object>, room?: object) => unknown;

/** Checks one @Handler record against the known messages; returns its paired response. */
function checkRecord(
  label: string,
  type: MessageType<unknown>,
  messages: ReadonlyMap<number, MessageType<unknown>>,
): MessageType<unknown> | undefined {
  if (type.id < FIRST_APPLICATION_ID)
    throw new HandlerSetupError(
      `${label}: message ${type.name} has id ${type.id}, reserved for the framework`,
    );
  const known = messages.get(type.id);
  if (known === undefined)
    throw new HandlerSetupError(`${label} handles ${type.name} (id ${type.id}), an unknown message`);
  if (known !== type && known.name !== type.name)
    throw new HandlerSetupError(`${label} handles ${type.name} but id ${type.id} is ${known.name}`);
  if (type.kind === 'response')
    throw new HandlerSetupError(
      `${label}: ${type.name} is a response; only requests and messages have handlers`,
    );
  const response = type.kind === 'request' ? (type as RequestType<unknown, unknown>).response : undefined;
  if (type.kind === 'request' && response === undefined)
    throw new HandlerSetupError(`${label}: request ${type.name} has no paired response`);
  return response;
}

function addEntry(table: Map<number, HandlerEntry>, entry: HandlerEntry): void {
  const existing = table.get(entry.type.id);
  if (existing !== undefined)
    throw new HandlerSetupError(
      `duplicate handler for ${entry.type.name} (id ${entry.type.id}): ${existing.label} and ${entry.label}`,
    );
  table.set(entry.type.id, entry);
}

function controllerInstance(
  controller: ControllerClass,
  container: Container,
): Record<string | symbol, unknown> {
  if (!isController(controller))
    throw new HandlerSetupError(
      `${controller.name} is listed as a controller but lacks the @Controller() decorator`,
    );
  if (!container.isBound(controller))
    throw new HandlerSetupError(`controller ${controller.name} is not bound in the container`);
  try {
    return container.get(controller) as Record<string | symbol, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HandlerSetupError(`cannot create controller ${controller.name}: ${reason}`);
  }
}

/** Builds the id -> handler table; throws HandlerSetupError naming the culprit on any inconsistency. */
export function exploreHandlers({ controllers, container, messages, rooms }: ExploreOptions): HandlerTable {
  const table = new Map<number, HandlerEntry>();
  const seen = new Set<ControllerClass>();
  for (const controller of controllers) {
    if (typeof controller !== 'function')
      throw new HandlerSetupError(`controllers: ${String(controller)} is not a class`);
    if (seen.has(controller)) throw new HandlerSetupError(`controller ${controller.name} is listed twice`);
    seen.add(controller);
    const records = handlersOf(controller.prototype as object);
    if (records.length === 0 && isController(controller))
      throw new HandlerSetupError(`controller ${controller.name} has no @Handler methods`);
    const instance = controllerInstance(controller, container);
    for (const record of records) {
      const label = `${controller.name}.${String(record.method)}`;
      const response = checkRecord(label, record.type, messages);
      const method = instance[record.method];
      if (typeof method !== 'function') throw new HandlerSetupError(`${label} is not a method`);
      const invoke = (method as Method).bind(instance);
      addEntry(table, {
        type: record.type,
        response,
        label,
        options: record.options,
        roomType: undefined,
        invoke,
      });
    }
  }
  for (const [roomType, roomClass] of rooms ?? []) {
    for (const record of handlersOf(roomClass.prototype as object)) {
      const label = `${roomClass.name}.${String(record.method)}`;
      const response = checkRecord(label, record.type, messages);
      const method = (roomClass.prototype as Record<string | symbol, unknown>)[record.method];
      if (typeof method !== 'function') throw new HandlerSetupError(`${label} is not a method`);
      const invoke: Method = (message, session, room) =>
        (method as Method).call(room, message, session, room);
      addEntry(table, { type: record.type, response, label, options: record.options, roomType, invoke });
    }
  }
  return table;
}

/** Request messages no handler answers (the server warns about them at start-up). */
export function unhandledRequests(
  messages: ReadonlyMap<number, MessageType<unknown>>,
  table: HandlerTable,
): MessageType<unknown>[] {
  return [...messages.values()].filter((type) => type.kind === 'request' && !table.has(type.id));
}

function isMessageType(value: unknown): value is MessageType<unknown> {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<MessageType<unknown>>;
  return (
    typeof candidate.id === 'number' &&
    typeof candidate.name === 'string' &&
    typeof candidate.decode === 'function' &&
    typeof candidate.encode === 'function'
  );
}

/**
 * Collects message constants from an array, a generated `registry` map or a module namespace
 * (`import * as packets`), including
 * requests' paired responses; throws on two different messages with one id.
 */
export function collectMessages(
  source: Iterable<unknown> | Record<string, unknown>,
): Map<number, MessageType<unknown>> {
  const values: unknown[] =
    source instanceof Map
      ? [...source.values()]
      : Symbol.iterator in Object(source)
        ? [...(source as Iterable<unknown>)]
        : Object.values(source);
  const byId = new Map<number, MessageType<unknown>>();
  const add = (type: MessageType<unknown>): void => {
    const existing = byId.get(type.id);
    if (existing !== undefined && existing !== type && existing.name !== type.name)
      throw new HandlerSetupError(`messages ${existing.name} and ${type.name} share id ${type.id}`);
    byId.set(type.id, type);
  };
  for (const value of values) {
    if (!isMessageType(value)) continue;
    add(value);
    const response = (value as Partial<RequestType<unknown, unknown>>).response;
    if (value.kind === 'request' && isMessageType(response)) add(response);
  }
  return byId;
}

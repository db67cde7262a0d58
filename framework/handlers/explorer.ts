import type { Container } from 'inversify';
import { HandlerSetupError } from '../errors';
import { FIRST_APPLICATION_ID } from '../protocol/framework-messages';
import type { MessageType, RequestType } from '../protocol/message-type';
import type { Session } from '../server/session';
import { handlersOf, isController } from './decorators';

/** One row of the dispatch table: everything needed per packet, resolved once. */
export interface HandlerEntry {
  readonly type: MessageType<unknown>;
  /** The paired response for requests; undefined for one-way messages. */
  readonly response: MessageType<unknown> | undefined;
  readonly public: boolean;
  /** "Controller.method", for logs. */
  readonly label: string;
  readonly invoke: (message: unknown, session: Session<unknown>) => unknown;
}

export type HandlerTable = ReadonlyMap<number, HandlerEntry>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ControllerClass = abstract new (...args: any[]) => object;

export interface ExploreOptions {
  controllers: readonly ControllerClass[];
  container: Container;
  /** Every application message the server knows (the generated table). */
  messages: ReadonlyMap<number, MessageType<unknown>>;
}

/** Builds the id -> handler table; throws HandlerSetupError naming the culprit on any inconsistency. */
export function exploreHandlers({ controllers, container, messages }: ExploreOptions): HandlerTable {
  const table = new Map<number, HandlerEntry>();
  const seen = new Set<ControllerClass>();
  for (const controller of controllers) {
    if (typeof controller !== 'function')
      throw new HandlerSetupError(`controllers: ${String(controller)} is not a class`);
    if (seen.has(controller)) throw new HandlerSetupError(`controller ${controller.name} is listed twice`);
    seen.add(controller);
    if (!isController(controller))
      throw new HandlerSetupError(
        `${controller.name} is listed as a controller but lacks the @Controller() decorator`,
      );
    const records = handlersOf(controller.prototype as object);
    if (records.length === 0)
      throw new HandlerSetupError(`controller ${controller.name} has no @Handler methods`);
    if (!container.isBound(controller))
      throw new HandlerSetupError(`controller ${controller.name} is not bound in the container`);
    let instance: Record<string | symbol, unknown>;
    try {
      instance = container.get(controller) as Record<string | symbol, unknown>;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HandlerSetupError(`cannot create controller ${controller.name}: ${reason}`);
    }
    for (const record of records) {
      const label = `${controller.name}.${String(record.method)}`;
      const { type } = record;
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
      const existing = table.get(type.id);
      if (existing !== undefined)
        throw new HandlerSetupError(
          `duplicate handler for ${type.name} (id ${type.id}): ${existing.label} and ${label}`,
        );
      const method = instance[record.method];
      if (typeof method !== 'function') throw new HandlerSetupError(`${label} is not a method`);
      table.set(type.id, {
        type,
        response,
        public: record.options.public === true,
        label,
        invoke: (method as (message: unknown, session: Session<unknown>) => unknown).bind(instance),
      });
    }
  }
  return table;
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

import * as protobuf from 'protobufjs';
import { ProtoError } from '../errors';
import type { ProtoFile, ProtoSet } from '../load/proto-loader';

/** A message that gets a dispatch constant: it has `(fastport.id)`. */
export interface Packet {
  readonly type: protobuf.Type;
  readonly file: ProtoFile;
  readonly id: number;
  /** Full proto name without the leading dot, e.g. `game.LoginReq`. */
  readonly fullName: string;
  /** The TypeScript name ts-proto gives the message (nested names joined by `_`). */
  readonly tsName: string;
  kind: 'request' | 'response' | 'message';
  response?: Packet;
}

export interface CollectOptions {
  /** Ids 0..99 are the framework's; only its own proto set may use them. */
  readonly allowReservedIds: boolean;
}

export const ID_OPTION = '(fastport.id)';
export const RESPONSE_OPTION = '(fastport.response)';
const OPTIONS_FILE = 'fastport/options.proto';
const MIN_APP_ID = 100;
const MAX_ID = 65535;

function tsNameOf(type: protobuf.Type): string {
  const parts: string[] = [];
  for (let t: protobuf.NamespaceBase | null = type; t instanceof protobuf.Type; t = t.parent)
    parts.unshift(t.name);
  return parts.join('_');
}

function messagesOf(set: ProtoSet): protobuf.Type[] {
  const entries = new Set(set.entries);
  const out: protobuf.Type[] = [];
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof protobuf.Type) {
        const file = set.fileOf.get(obj);
        if (file && entries.has(file.name) && !(obj as { group?: boolean }).group) out.push(obj);
      }
      if (obj instanceof protobuf.Namespace || obj instanceof protobuf.Type) visit(obj);
    }
  };
  visit(set.root);
  return out;
}

class Locator {
  constructor(private readonly set: ProtoSet) {}
  fileOf(type: protobuf.Type): ProtoFile {
    const file = this.set.fileOf.get(type);
    if (!file) throw new Error(`no file for ${type.fullName}`);
    return file;
  }
  messageLine(type: protobuf.Type): number {
    return this.fileOf(type).lines.get(type.fullName.slice(1))?.line ?? 0;
  }
  optionLine(type: protobuf.Type, option: string): number {
    const lines = this.fileOf(type).lines.get(type.fullName.slice(1));
    return lines?.options.get(option.slice(1, -1)) ?? lines?.line ?? 0;
  }
  error(type: protobuf.Type, line: number, detail: string): ProtoError {
    return new ProtoError(this.fileOf(type).displayPath, line, detail);
  }
  where(type: protobuf.Type, line: number): string {
    return `${this.fileOf(type).displayPath}:${line}`;
  }
}

/**
 * Finds the packets of a loaded set and pairs requests with responses. Returns every problem found
 * (with file:line) rather than stopping at the first. A message is a packet when it has `(fastport.id)`;
 * a message named `...Req` or `...Res` must have one.
 */
export function collectPackets(
  set: ProtoSet,
  options: CollectOptions,
): { packets: Packet[]; errors: ProtoError[] } {
  const at = new Locator(set);
  const errors: ProtoError[] = [];
  const packets: Packet[] = [];
  const byType = new Map<protobuf.Type, Packet>();
  const byId = new Map<number, Packet>();
  const byTsName = new Map<string, Packet>();

  for (const type of messagesOf(set)) {
    const file = at.fileOf(type);
    const rawId: unknown = type.options?.[ID_OPTION];
    const hasResponseOption = type.options?.[RESPONSE_OPTION] !== undefined;
    if ((rawId !== undefined || hasResponseOption) && !file.imports.includes(OPTIONS_FILE)) {
      const option = rawId !== undefined ? ID_OPTION : RESPONSE_OPTION;
      errors.push(
        at.error(type, at.optionLine(type, option), `option ${option} needs import "${OPTIONS_FILE}"`),
      );
    }
    if (rawId === undefined) {
      if (/(Req|Res)$/.test(type.name) || hasResponseOption) {
        errors.push(
          at.error(
            type,
            at.messageLine(type),
            `packet message ${type.name} has no id: add option (fastport.id) = <${MIN_APP_ID}..${MAX_ID}>`,
          ),
        );
      }
      continue;
    }
    const line = at.optionLine(type, ID_OPTION);
    const id = Number(rawId);
    if (!Number.isInteger(id) || id < 0 || id > MAX_ID) {
      errors.push(
        at.error(type, line, `id ${String(rawId)} of ${type.name} is out of range ${MIN_APP_ID}..${MAX_ID}`),
      );
      continue;
    }
    if (id < MIN_APP_ID && !options.allowReservedIds) {
      errors.push(
        at.error(
          type,
          line,
          `id ${id} of ${type.name} is in the framework's reserved range 0..${MIN_APP_ID - 1}`,
        ),
      );
      continue;
    }
    const packet: Packet = {
      type,
      file,
      id,
      fullName: type.fullName.slice(1),
      tsName: tsNameOf(type),
      kind: 'message',
    };
    const clash = byId.get(id);
    if (clash) {
      const first = at.where(clash.type, at.optionLine(clash.type, ID_OPTION));
      errors.push(at.error(type, line, `duplicate id ${id}: ${type.name} and ${clash.fullName} (${first})`));
      continue;
    }
    const nameClash = byTsName.get(packet.tsName);
    if (nameClash) {
      errors.push(
        at.error(
          type,
          at.messageLine(type),
          `packet name ${packet.tsName} is also used by ${nameClash.fullName}; packet names must be unique in a proto set`,
        ),
      );
      continue;
    }
    byId.set(id, packet);
    byTsName.set(packet.tsName, packet);
    byType.set(type, packet);
    packets.push(packet);
  }

  pairRequests(packets, byType, at, errors);
  return { packets, errors };
}

/** The response type of a packet: `(fastport.response)` if given, else `XxxRes` for `XxxReq` when it exists. */
function responseTypeOf(packet: Packet, at: Locator, errors: ProtoError[]): protobuf.Type | null {
  const type = packet.type;
  const explicit: unknown = type.options?.[RESPONSE_OPTION];
  if (explicit !== undefined) {
    const name = String(explicit);
    const found = name ? type.lookup(name, [protobuf.Type]) : null;
    if (!(found instanceof protobuf.Type)) {
      const line = at.optionLine(type, RESPONSE_OPTION);
      errors.push(at.error(type, line, `response type "${name}" of ${type.name} does not exist`));
      return null;
    }
    return found;
  }
  if (!type.name.endsWith('Req') || !type.parent) return null;
  const sibling = type.parent.get(type.name.slice(0, -3) + 'Res');
  return sibling instanceof protobuf.Type ? sibling : null;
}

function pairRequests(
  packets: Packet[],
  byType: ReadonlyMap<protobuf.Type, Packet>,
  at: Locator,
  errors: ProtoError[],
): void {
  for (const packet of packets) {
    const responseType = responseTypeOf(packet, at, errors);
    if (!responseType) continue;
    const line =
      packet.type.options?.[RESPONSE_OPTION] !== undefined
        ? at.optionLine(packet.type, RESPONSE_OPTION)
        : at.messageLine(packet.type);
    const response = byType.get(responseType);
    if (!response) {
      if (responseType.options?.[ID_OPTION] === undefined) {
        errors.push(
          at.error(
            packet.type,
            line,
            `response type ${responseType.name} of ${packet.type.name} has no (fastport.id)`,
          ),
        );
      }
      continue;
    }
    packet.kind = 'request';
    packet.response = response;
  }
  for (const packet of packets) {
    const response = packet.response;
    if (!response) continue;
    if (response.kind === 'request') {
      const line =
        packet.type.options?.[RESPONSE_OPTION] !== undefined
          ? at.optionLine(packet.type, RESPONSE_OPTION)
          : at.messageLine(packet.type);
      errors.push(
        at.error(
          packet.type,
          line,
          `response type ${response.type.name} of ${packet.type.name} is itself a request; a response cannot expect a response`,
        ),
      );
      packet.kind = 'message';
      packet.response = undefined;
      continue;
    }
    response.kind = 'response';
  }
}

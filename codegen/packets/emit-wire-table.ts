import * as protobuf from 'protobufjs';
import { WireKind as FieldKind } from './wire-kinds';
import { mapEntryName } from '../descriptor/names';

const PACKED_VARINT = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);
const PACKED_FIXED32 = new Set(['fixed32', 'sfixed32', 'float']);
const PACKED_FIXED64 = new Set(['fixed64', 'sfixed64', 'double']);

interface Entry {
  readonly name: string;
  fields: [number, number, number?][];
}

/**
 * The wire table (read by the framework's packets runtime, framework/packets/wire-schema.ts) for `roots` and every message reachable from them;
 * returns the emitted entries and each root's index. Deterministic: messages in first-reached order.
 */
export function buildWireTable(roots: readonly protobuf.Type[]): {
  entries: Entry[];
  indexOf: Map<protobuf.Type, number>;
} {
  const entries: Entry[] = [];
  const indexOf = new Map<protobuf.Type, number>();
  const pending: protobuf.Type[] = [];
  const indexFor = (type: protobuf.Type): number => {
    let index = indexOf.get(type);
    if (index === undefined) {
      index = entries.length;
      entries.push({ name: type.fullName.slice(1), fields: [] });
      indexOf.set(type, index);
      pending.push(type);
    }
    return index;
  };
  const mapEntry = (owner: protobuf.Type, field: protobuf.MapField): number => {
    const index = entries.length;
    const entry: Entry = { name: `${owner.fullName.slice(1)}.${mapEntryName(field.name)}`, fields: [] };
    entries.push(entry);
    if (field.resolvedType instanceof protobuf.Type)
      entry.fields.push([2, FieldKind.Message, indexFor(field.resolvedType)]);
    return index;
  };
  for (const root of roots) indexFor(root);
  while (pending.length > 0) {
    const type = pending.shift() as protobuf.Type;
    const entry = entries[indexOf.get(type) as number];
    for (const field of [...type.fieldsArray].sort((a, b) => a.id - b.id)) {
      const resolved = field.resolvedType;
      if (field instanceof protobuf.MapField) {
        entry.fields.push([field.id, FieldKind.Message, mapEntry(type, field)]);
      } else if (resolved instanceof protobuf.Type) {
        const isGroup = (resolved as { group?: boolean }).group === true;
        entry.fields.push([field.id, isGroup ? FieldKind.Group : FieldKind.Message, indexFor(resolved)]);
      } else if (field.repeated) {
        if (resolved instanceof protobuf.Enum || PACKED_VARINT.has(field.type)) {
          entry.fields.push([field.id, FieldKind.PackedVarint]);
        } else if (PACKED_FIXED32.has(field.type)) entry.fields.push([field.id, FieldKind.PackedFixed32]);
        else if (PACKED_FIXED64.has(field.type)) entry.fields.push([field.id, FieldKind.PackedFixed64]);
      }
    }
  }
  return { entries, indexOf };
}

/** Source text of the table: one line per message, `[field, kind, ref?]` (kinds as in FieldKind). */
export function emitWireTable(entries: readonly Entry[]): string {
  const lines = entries.map(
    (e, i) => `  /* ${i} ${e.name} */ ${JSON.stringify(e.fields).replace(/,/g, ', ')},`,
  );
  return `[\n${lines.join('\n')}\n]`;
}

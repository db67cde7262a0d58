/**
 * The per-message facts the wire validator needs, emitted by codegen into each packets module.
 * Only fields that need more than a structural check are listed; every other field number is
 * validated structurally (well-formed varint, fixed width or length within bounds) and skipped.
 */
export const FieldKind = {
  /** A length-delimited nested message: validated recursively (depth-limited). */
  Message: 1,
  /** A proto2 group (wire types 3/4): the only place group wire types are accepted. */
  Group: 2,
  /** Repeated varint scalars (int32, enum, bool, ...): packed form must hold whole varints. */
  PackedVarint: 3,
  /** Repeated 4-byte scalars (fixed32, sfixed32, float): packed length must be a multiple of 4. */
  PackedFixed32: 4,
  /** Repeated 8-byte scalars (fixed64, sfixed64, double): packed length must be a multiple of 8. */
  PackedFixed64: 5,
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/** Emitted form: one entry per message, `[fieldNumber, kind, messageIndex?]` per listed field. */
export type WireTable = readonly (readonly (
  readonly [number, number] | readonly [number, number, number]
)[])[];

export interface FieldRule {
  readonly kind: FieldKind;
  /** For Message and Group fields. */
  readonly message?: MessageRules;
}

export interface MessageRules {
  readonly fields: ReadonlyMap<number, FieldRule>;
}

/** Links the emitted table (messages refer to each other by index, cycles allowed). */
export function linkWireTable(table: WireTable): MessageRules[] {
  const messages = table.map(() => ({ fields: new Map<number, FieldRule>() }));
  table.forEach((fields, index) => {
    for (const [number, kind, ref] of fields) {
      const target = ref === undefined ? undefined : messages[ref];
      if (ref !== undefined && target === undefined) throw new Error(`wire table: bad message index ${ref}`);
      if (!Object.values(FieldKind).includes(kind as FieldKind))
        throw new Error(`wire table: bad field kind ${kind}`);
      const rule = { kind: kind as FieldKind };
      messages[index].fields.set(number, target ? { ...rule, message: target } : rule);
    }
  });
  return messages;
}

/**
 * Field kinds of the wire table that generated packets modules carry. This is the generator's side of a
 * contract with the framework's packets runtime (framework/packets/wire-schema.ts, FieldKind), which reads
 * the table; test/codegen/wire-kinds.test.ts holds the two to the same numbers.
 */
export const WireKind = {
  Message: 1,
  Group: 2,
  PackedVarint: 3,
  PackedFixed32: 4,
  PackedFixed64: 5,
} as const;

/** The wire table's field kinds: what codegen emits is what the framework's packets runtime reads. */
import { describe, expect, it } from 'vitest';
import { WireKind } from '../../codegen/packets/wire-kinds';
import { FieldKind } from '../../framework/packets';

describe('wire table field kinds', () => {
  it('codegen and the packets runtime use the same numbers for the same kinds', () => {
    expect(WireKind).toEqual(FieldKind);
  });
});

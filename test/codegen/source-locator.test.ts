import { describe, expect, it } from 'vitest';
import { locateMessages } from '../../codegen/load/source-locator';

const SOURCE = `syntax = "proto3";
package game;
/* a block comment with message Fake { } inside */
message Outer { // trailing comment: message Nope {
  option (fastport.id) = 100;
  string message = 1;
  oneof choice {
    int32 a = 2;
  }
  message Inner {
    option (.fastport.response) = "X";
    map<string, int32> stats = 3;
  }
  enum E { E_ZERO = 0; }
  string text = 4 [default = "message Bad {"];
}
`;

describe('source locator', () => {
  it('finds message, option and field lines, skipping comments and strings', () => {
    const found = locateMessages(SOURCE, 'game');
    expect([...found.keys()]).toEqual(['game.Outer', 'game.Outer.Inner']);
    const outer = found.get('game.Outer');
    expect(outer?.line).toBe(4);
    expect(outer?.options.get('fastport.id')).toBe(5);
    expect(Object.fromEntries(outer?.fields ?? [])).toEqual({ message: 6, a: 8, text: 15 });
    const inner = found.get('game.Outer.Inner');
    expect(inner?.line).toBe(10);
    expect(inner?.options.get('fastport.response')).toBe(11);
    expect(Object.fromEntries(inner?.fields ?? [])).toEqual({ stats: 12 });
  });
});

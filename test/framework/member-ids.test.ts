/** The broadcast id list: `except` is left out by swapping, on the one cached array, and put back. */
import { describe, expect, it } from 'vitest';
import { MemberIds } from '../../framework/rooms/member-ids';

describe('MemberIds', () => {
  it('reuses one array for every broadcast, leaving `except` out and putting it back', () => {
    const members = new Map([1, 2, 3, 4].map((id) => [id, {}]));
    const ids = new MemberIds();
    const calls: { array: readonly number[]; ids: number[] }[] = [];
    const send = (array: readonly number[]) => calls.push({ array, ids: [...array] });
    ids.withEach(members, undefined, send);
    ids.withEach(members, 2, send);
    ids.withEach(members, 4, send);
    ids.withEach(members, 99, send); // not a member: everyone
    expect(calls.map((c) => [...c.ids].sort())).toEqual([
      [1, 2, 3, 4],
      [1, 3, 4],
      [1, 2, 3],
      [1, 2, 3, 4],
    ]);
    expect(new Set(calls.map((c) => c.array)).size).toBe(1); // the same array every time
    members.delete(3);
    ids.invalidate();
    ids.withEach(members, 1, send);
    expect([...calls[4].ids].sort()).toEqual([2, 4]);
  });

  it('sends nothing when the only member is left out, and survives a throwing send', () => {
    const members = new Map([[7, {}]]);
    const ids = new MemberIds();
    let sent = 0;
    ids.withEach(members, 7, () => sent++);
    expect(sent).toBe(0);
    const two = new Map([
      [1, {}],
      [2, {}],
    ]);
    const fresh = new MemberIds();
    expect(() =>
      fresh.withEach(two, 1, () => {
        throw new Error('transport refused');
      }),
    ).toThrow('transport refused');
    const seen: number[][] = [];
    fresh.withEach(two, undefined, (array) => seen.push([...array].sort()));
    expect(seen).toEqual([[1, 2]]);
  });
});

import { describe, expect, it } from 'vitest';
import { KEEP_WRITER_BYTES } from '../../framework/packets/define-packet';
import { LoginRes_Status } from './fixtures/game/golden/game/login';
import { Color } from './fixtures/game/golden/game/common';
import {
  Announce,
  GetStatsReq,
  LoginReq,
  LoginRes,
  Move,
  Node,
  SayReq,
  SayRes,
  OldReq,
  StatsReply,
  registry,
} from './fixtures/game/golden/packets';
import { Mode } from './fixtures/game/golden/legacy/old';

describe('generated packet constants (fixture)', () => {
  it('carry id, name, kind and the paired response', () => {
    expect(LoginReq).toMatchObject({ id: 100, name: 'game.LoginReq', kind: 'request', response: LoginRes });
    expect(LoginRes).toMatchObject({ id: 101, kind: 'response' });
    expect(GetStatsReq.response).toBe(StatsReply);
    expect(SayReq.response).toBe(SayRes);
    expect(Move.kind).toBe('message');
    expect(Announce).toMatchObject({ id: 110, name: 'game.chat.Announce', kind: 'message' });
    expect([...registry.keys()]).toEqual([100, 101, 102, 103, 104, 105, 110, 111, 112, 200, 201]);
    expect(registry.get(100)).toBe(LoginReq);
  });

  it('round-trip oneofs, proto3 optional and bytes', () => {
    const req = LoginReq.create({
      user: 'ann',
      token: Buffer.from([1, 2, 3]),
      clientVersion: 0,
      platform: { $case: 'spawnHint', value: { x: 1.5, y: -2, z: 0 } },
    });
    const decoded = LoginReq.decode(LoginReq.encode(req));
    expect(decoded).toEqual(req);
    expect(decoded.clientVersion).toBe(0); // presence kept for proto3 optional
    expect(LoginReq.decode(LoginReq.encode(LoginReq.create({ user: 'x' }))).clientVersion).toBeUndefined();
  });

  it('round-trip maps of messages, nested types, enums, packed repeated and Timestamp', () => {
    const res = LoginRes.create({
      status: LoginRes_Status.STATUS_BANNED,
      playerId: 2 ** 45 + 1,
      serverTime: new Date('2026-11-26T03:00:00.123Z'),
      inventory: { 7: { name: 'sword', attrs: { dmg: 12, wear: -1 }, color: Color.COLOR_BLUE } },
      scores: [-5, 0, 2 ** 31 - 1],
      profile: { displayName: 'Ann', level: 3 },
      weights: [0.25, -1e300],
      flags: [0, 0xffffffff],
    });
    expect(LoginRes.decode(LoginRes.encode(res))).toEqual(res);
  });

  it('round-trip map<string, double>, Duration, repeated enums and recursive messages', () => {
    const stats = StatsReply.create({ stats: { hp: 10.5, mp: 0 } });
    expect(StatsReply.decode(StatsReply.encode(stats))).toEqual(stats);
    const move = Move.create({ position: { x: 1, y: 2, z: 3 }, trail: [Color.COLOR_RED, Color.COLOR_BLUE] });
    expect(Move.decode(Move.encode(move))).toEqual(move);
    const tree = Node.create({
      value: 1,
      child: { value: 2, child: { value: 3 } },
      children: { a: { value: 4 } },
    });
    expect(Node.decode(Node.encode(tree))).toEqual(tree);
  });

  it('round-trip proto2: required, defaults, packed and unpacked repeated, groups', () => {
    const old = OldReq.create({ name: 'n', packedIds: [1, 2], looseIds: [3], extra: { bonus: 5 } });
    expect(old.level).toBe(7);
    expect(old.mode).toBe(Mode.MODE_B);
    const bytes = OldReq.encode(old);
    expect([...bytes]).toContain(0x4b); // field 9, wire type 3 (start group)
    expect(OldReq.decode(bytes)).toEqual(old);
  });

  it('decoded bytes fields are copies, not views of the (reused) input buffer', () => {
    const input = LoginReq.encode(LoginReq.create({ token: Buffer.from([9, 9, 9]) }));
    const decoded = LoginReq.decode(input);
    input.fill(0);
    expect([...decoded.token]).toEqual([9, 9, 9]);
  });

  it('create fills defaults', () => {
    expect(SayRes.create()).toEqual({ delivered: false });
    expect(LoginRes.create({}).inventory).toEqual({});
  });

  it('encodes through one shared writer: results stay independent, a failed encode leaves no residue', () => {
    const a = LoginReq.create({ user: 'ann', token: Buffer.from([1, 2, 3]) });
    const b = LoginReq.create({ user: 'bob', platform: { $case: 'spawnHint', value: { x: 1, y: 2, z: 3 } } });
    const first = LoginReq.encode(a);
    const second = LoginReq.encode(b);
    expect(LoginReq.decode(first)).toEqual(a); // not overwritten by the second encode
    expect(LoginReq.decode(second)).toEqual(b);
    // A value the writer rejects midway through a message (user written, then a bad nested float).
    const bad = { ...b, platform: { $case: 'spawnHint', value: { x: 1, y: 'oops', z: 3 } } } as never;
    expect(() => LoginReq.encode(bad)).toThrow();
    expect(LoginReq.encode(a)).toEqual(first);
    const big = LoginReq.create({ user: 'x'.repeat(200_000) });
    expect(LoginReq.decode(LoginReq.encode(big)).user).toHaveLength(200_000);
    expect(LoginReq.encode(a)).toEqual(first);
  });

  it('encodeTransient returns the same bytes as encode, as a view that the next encode reuses', () => {
    const a = LoginReq.create({ user: 'ann', token: Buffer.from([1, 2, 3]) });
    const b = LoginReq.create({ user: 'bob' });
    const copy = LoginReq.encode(a);
    const view = LoginReq.encodeTransient!(a);
    expect(Buffer.from(view)).toEqual(Buffer.from(copy));
    const snapshot = Buffer.from(view);
    LoginReq.encodeTransient!(b);
    expect(Buffer.from(view)).not.toEqual(snapshot); // the shared buffer was written again
    expect(LoginReq.decode(LoginReq.encodeTransient!(a))).toEqual(a);
  });

  it('encodeTransient of one small length hands back one view object, following a replaced buffer', () => {
    const ann = LoginReq.create({ user: 'ann' });
    const bob = LoginReq.create({ user: 'bob' });
    const first = LoginReq.encodeTransient!(ann);
    const second = LoginReq.encodeTransient!(bob);
    expect(second).toBe(first);
    expect(LoginReq.decode(second)).toEqual(bob);
    LoginReq.encode(LoginReq.create({ user: 'x'.repeat(KEEP_WRITER_BYTES + 1) })); // replaces the writer
    const after = LoginReq.encodeTransient!(ann);
    expect(after).not.toBe(first);
    expect(after.buffer).not.toBe(first.buffer);
    expect(LoginReq.decode(after)).toEqual(ann);
    const big = LoginReq.create({ user: 'y'.repeat(2000) });
    expect(LoginReq.encodeTransient!(big)).not.toBe(LoginReq.encodeTransient!(big)); // above 1 KiB: fresh views
  });
});

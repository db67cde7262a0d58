import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, GENERATED_HEADER } from '../../codegen/generate';
import { writeFiles } from '../../codegen/output';
import { FIXTURE_GOLDEN, FIXTURE_PROTO, readTree } from './helpers';

// Regenerate the golden files after an intended change: UPDATE_GOLDEN=1 npx vitest run test/codegen/golden.test.ts
const generateFixture = () => generate({ protoDir: FIXTURE_PROTO, outDir: FIXTURE_GOLDEN });

describe('golden output for the feature fixture (test/codegen/fixtures/game)', () => {
  it('matches the committed golden files', () => {
    const files = generateFixture();
    if (process.env.UPDATE_GOLDEN === '1') {
      fs.rmSync(FIXTURE_GOLDEN, { recursive: true, force: true });
      writeFiles(FIXTURE_GOLDEN, files);
    }
    expect([...files.keys()]).toEqual([
      'game/chat.ts',
      'game/common.ts',
      'game/login.ts',
      'google/protobuf/duration.ts',
      'google/protobuf/timestamp.ts',
      'legacy/old.ts',
      'packets.ts',
    ]);
    expect(new Map(files)).toEqual(readTree(FIXTURE_GOLDEN));
  });

  it('is deterministic: two runs give byte-identical output', () => {
    const first = generateFixture();
    const second = generateFixture();
    expect([...second.entries()]).toEqual([...first.entries()]);
  });

  it('starts every file with the generated header', () => {
    for (const [name, content] of generateFixture()) {
      expect(content.startsWith(GENERATED_HEADER + '\n'), name).toBe(true);
    }
  });

  it('generates protoc-faithful shapes: maps, oneofs, proto3 optional, nested, enums, WKTs', () => {
    const login = generateFixture().get('game/login.ts') ?? '';
    expect(login).toContain('inventory: { [key: number]: Item };');
    expect(login).toContain('export interface LoginRes_InventoryEntry {');
    expect(login).toContain('clientVersion?: number | undefined;');
    expect(login).toMatch(/platform\?: \{ \$case: "iosDevice"; value: string \}/);
    expect(login).toContain('serverTime?: Date | undefined;');
    expect(login).toContain('export enum LoginRes_Status {');
    expect(login).toContain('export interface Outer_Inner {');
    expect(login).toContain('import { Color, Item, Vec3 } from "./common";');
    const legacy = generateFixture().get('legacy/old.ts') ?? '';
    expect(legacy).toContain('level: 7,'); // proto2 default
    expect(legacy).toContain('extra?: OldReq_Extra | undefined;'); // group
  });
});

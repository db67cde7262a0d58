import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TS_PROTO_PARAMETER } from '../../codegen/descriptor/run-ts-proto';
import { postProcessTsProto } from '../../codegen/descriptor/post-process';
import { generate, GENERATED_HEADER } from '../../codegen/generate';
import { FASTPORT_PROTO_DIR } from '../../codegen/load/proto-loader';
import { FIXTURE_PROTO, readTree, removeTempDirs, tempProtoDir } from './helpers';

afterAll(removeTempDirs);

/** Well-known types come from protobufjs's bundled JSON, without Google's comments: compare their code only. */
function withoutComments(ts: string): string {
  return ts
    .replace(/^[ \t]*\/\*\*[\s\S]*?\*\/\n/gm, '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('//'))
    .join('\n');
}

describe('parity with a real protobuf compiler (buf, offline)', () => {
  it('ts-proto output from our descriptors equals its output from buf-compiled descriptors (comments too)', () => {
    const dir = tempProtoDir({});
    fs.cpSync(FIXTURE_PROTO, dir, { recursive: true });
    fs.cpSync(path.join(FASTPORT_PROTO_DIR, 'fastport'), path.join(dir, 'fastport'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'buf.yaml'), 'version: v2\n');
    const plugin = require.resolve('ts-proto/protoc-gen-ts_proto');
    fs.writeFileSync(
      path.join(dir, 'buf.gen.yaml'),
      `version: v2\nplugins:\n  - local: ["${process.execPath}", "${plugin}"]\n    out: out\n    opt: ${TS_PROTO_PARAMETER}\n`,
    );
    const buf = path.join(path.dirname(require.resolve('@bufbuild/buf/package.json')), 'bin', 'buf');
    const result = spawnSync(buf, ['generate', '--path', 'game', '--path', 'legacy'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const fromBuf = readTree(path.join(dir, 'out'));
    const ours = generate({ protoDir: FIXTURE_PROTO, outDir: path.join(dir, 'ours') });
    const compared = [...ours.keys()].filter((name) => name !== 'packets.ts');
    expect(compared.length).toBe(6);
    for (const name of compared) {
      const mine = (ours.get(name) ?? '').replace(GENERATED_HEADER + '\n', '');
      // The same post-processing as ours (shared empty bytes), so only the descriptors can differ.
      const theirs = postProcessTsProto(fromBuf.get(name) ?? `missing ${name}`);
      if (name.startsWith('google/')) expect(withoutComments(mine), name).toBe(withoutComments(theirs));
      else expect(mine, name).toBe(theirs); // byte-identical, comments included
    }
  });
});

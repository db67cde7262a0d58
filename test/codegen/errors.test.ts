import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProtoError, ProtoErrors } from '../../codegen/errors';
import { generate } from '../../codegen/generate';
import { removeTempDirs, tempProtoDir } from './helpers';

afterAll(removeTempDirs);

const HEAD = 'syntax = "proto3";\npackage game;\nimport "fastport/options.proto";\n'; // 3 lines

/** Generates `source` as game.proto (the HEAD above prepended) and returns the error messages. */
function errorsOf(source: string, extra: Record<string, string> = {}): { file: string; messages: string[] } {
  const dir = tempProtoDir({ 'game.proto': HEAD + source, ...extra });
  const file = path.relative(process.cwd(), path.join(dir, 'game.proto'));
  try {
    generate({ protoDir: dir, outDir: path.join(dir, 'out') });
  } catch (err) {
    if (err instanceof ProtoErrors) return { file, messages: err.errors.map((e) => e.message) };
    if (err instanceof ProtoError) return { file, messages: [err.message] };
    throw err;
  }
  return { file, messages: [] };
}

describe('codegen errors name file:line', () => {
  it('duplicate id, at the second use, naming the first', () => {
    const { file, messages } = errorsOf(
      [
        'message A {',
        '  option (fastport.id) = 100;',
        '}',
        'message B {',
        '  option (fastport.id) = 100;',
        '}',
      ].join('\n'),
    );
    expect(messages).toEqual([`${file}:8: duplicate id 100: B and game.A (${file}:5)`]);
  });

  it('id out of range', () => {
    const { file, messages } = errorsOf('message A {\n  option (fastport.id) = 65536;\n}\n');
    expect(messages).toEqual([`${file}:5: id 65536 of A is out of range 100..65535`]);
  });

  it('id in the reserved range 0..99', () => {
    const { file, messages } = errorsOf('message A {\n  int32 x = 1;\n  option (fastport.id) = 99;\n}\n');
    expect(messages).toEqual([`${file}:6: id 99 of A is in the framework's reserved range 0..99`]);
  });

  it('response type that does not exist', () => {
    const { file, messages } = errorsOf(
      'message GetReq {\n  option (fastport.id) = 100;\n  option (fastport.response) = "Nope";\n}\n',
    );
    expect(messages).toEqual([`${file}:6: response type "Nope" of GetReq does not exist`]);
  });

  it('a request whose response is itself a request', () => {
    const { file, messages } = errorsOf(
      [
        'message AReq {',
        '  option (fastport.id) = 100;',
        '  option (fastport.response) = "BReq";',
        '}',
        'message BReq {',
        '  option (fastport.id) = 101;',
        '}',
        'message BRes {',
        '  option (fastport.id) = 102;',
        '}',
      ].join('\n'),
    );
    expect(messages).toEqual([
      `${file}:6: response type BReq of AReq is itself a request; a response cannot expect a response`,
    ]);
  });

  it('a Req/Res-named packet message without an id', () => {
    const { file, messages } = errorsOf(
      'message LoginReq {\n  option (fastport.id) = 100;\n}\n\nmessage LoginRes {\n  string name = 1;\n}\n',
    );
    expect(messages).toEqual(
      [
        `${file}:8: packet message LoginRes has no id: add option (fastport.id) = <100..65535>`,
        `${file}:4: response type LoginRes of LoginReq has no (fastport.id)`,
      ].sort(),
    );
  });

  it('syntax errors', () => {
    const { file, messages } = errorsOf('message A {\n  int32 x = ;\n}\n');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: syntax error: illegal`),
    );
  });

  it('unknown field types and missing imports', () => {
    const unknown = errorsOf('message A {\n  Missing m = 1;\n}\n');
    expect(unknown.messages).toEqual([`${unknown.file}:5: field A.m: unknown type Missing`]);
    const missing = errorsOf('import "nowhere.proto";\n');
    expect(missing.messages).toEqual([`${missing.file}:4: import "nowhere.proto" not found`]);
  });

  it('the id option without importing fastport/options.proto', () => {
    const dir = tempProtoDir({
      'x.proto': 'syntax = "proto3";\nmessage A {\n  option (fastport.id) = 100;\n}\n',
    });
    const file = path.relative(process.cwd(), path.join(dir, 'x.proto'));
    expect(() => generate({ protoDir: dir, outDir: dir })).toThrow(
      `${file}:3: option (fastport.id) needs import "fastport/options.proto"`,
    );
  });

  it('reports every problem of a run, sorted by file and line', () => {
    const { messages } = errorsOf(
      'message A {\n  option (fastport.id) = 5;\n}\nmessage B {\n  option (fastport.id) = 70000;\n}\n',
    );
    expect(messages.map((m) => Number(m.split(':')[1]))).toEqual([5, 8]);
  });
});

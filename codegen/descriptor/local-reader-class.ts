/**
 * ts-proto's decoders start with `input instanceof BinaryReader`. Compiled to CommonJS, `BinaryReader` is a
 * property read of @bufbuild/protobuf/wire's exports, which re-exports it through a getter: a function call
 * on every decode of every (nested) message, about twice the cost of the instanceof itself. The class is
 * read once, after the imports, into a file-level constant (see docs/codegen.md).
 */
import { replaceWithDeclared } from './after-imports';

const EACH_DECODE = 'input instanceof BinaryReader ? input : new BinaryReader(input)';
const READER_CLASS = 'BinaryReaderClass';

export function readReaderClassOnce(content: string): string {
  return replaceWithDeclared(
    content,
    EACH_DECODE,
    `input instanceof ${READER_CLASS} ? input : new ${READER_CLASS}(input)`,
    [
      '',
      '/** BinaryReader read once (the package exports it through a getter, which each decode would call). */',
      `const ${READER_CLASS} = BinaryReader;`,
    ],
  );
}

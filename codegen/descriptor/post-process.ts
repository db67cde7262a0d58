/** What codegen changes in every file ts-proto wrote (docs/codegen.md), in one place for generate and tests. */
import { copyBytesDirectly } from './copy-bytes';
import { dropLeafDecodeDepth } from './leaf-decode-depth';
import { readReaderClassOnce } from './local-reader-class';
import { shareEmptyBytes } from './share-empty-bytes';

export function postProcessTsProto(content: string): string {
  return dropLeafDecodeDepth(readReaderClassOnce(copyBytesDirectly(shareEmptyBytes(content))));
}

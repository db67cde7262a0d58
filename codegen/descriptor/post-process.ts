/** What codegen changes in every file ts-proto wrote (docs/codegen.md), in one place for generate and tests. */
import { copyBytesDirectly } from './copy-bytes';
import { shareEmptyBytes } from './share-empty-bytes';

export function postProcessTsProto(content: string): string {
  return copyBytesDirectly(shareEmptyBytes(content));
}

import type { Metafile } from 'esbuild';

/** Builds the browser client and the chat page under outDir (default: the repository's dist/). */
export function buildBrowser(outDir?: string): Promise<{
  client: Metafile;
  chat: Metafile;
  /** The browser client's bundle, outDir/browser/fastport-client.mjs. */
  clientFile: string;
  /** The chat page's folder, outDir/samples/chat/web. */
  chatDir: string;
}>;

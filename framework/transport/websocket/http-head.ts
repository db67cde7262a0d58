/** Parses one HTTP request head (request line + headers, already bounded to 8 KiB by the engine). */
import { HTTPParser } from 'http-parser-js';

export interface RequestHead {
  method: string;
  /** The request target as sent, e.g. '/chat?room=1'. */
  url: string;
  versionMajor: number;
  versionMinor: number;
  /** Header values by lower-case name; repeated headers joined with ', '. */
  headers: ReadonlyMap<string, string>;
}

/** The parsed head, or a string saying why the bytes are not a valid request head. */
export function parseRequestHead(bytes: Uint8Array): RequestHead | string {
  const parser = new HTTPParser(HTTPParser.REQUEST);
  let head: RequestHead | undefined;
  parser[HTTPParser.kOnHeadersComplete] = (info) => {
    const headers = new Map<string, string>();
    for (let i = 0; i + 1 < info.headers.length; i += 2) {
      const name = info.headers[i].toLowerCase();
      const value = info.headers[i + 1].trim();
      const had = headers.get(name);
      headers.set(name, had === undefined ? value : `${had}, ${value}`);
    }
    head = {
      method: HTTPParser.methods[info.method] ?? '',
      url: info.url,
      versionMajor: info.versionMajor,
      versionMinor: info.versionMinor,
      headers,
    };
    return 1; // no body follows: the parser stops after the head
  };
  const result = parser.execute(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (result instanceof Error) return `malformed HTTP request: ${result.message}`;
  return head ?? 'incomplete HTTP request head';
}

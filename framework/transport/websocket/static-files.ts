/** Answers a plain GET with a file under the static folder (the samples' web pages); never outside it. */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { httpError, httpResponse } from './http-reply';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The whole response for a GET (or HEAD: without the body) of urlPath under dir; 404 when dir is null. */
export async function serveStatic(dir: string | null, urlPath: string, headOnly = false): Promise<Buffer> {
  if (dir === null) return httpError(404, 'not found');
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    return httpError(400, 'bad path encoding');
  }
  if (relative.endsWith('/')) relative += 'index.html';
  const root = resolve(dir);
  const file = resolve(join(root, relative));
  if (!file.startsWith(root + sep) || relative.includes('\0')) return httpError(404, 'not found');
  try {
    const info = await stat(file);
    if (!info.isFile()) return httpError(404, 'not found');
    const body = await readFile(file);
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const headers = { 'Content-Type': type, 'Cache-Control': 'no-cache' };
    return headOnly
      ? headOf(httpResponse(200, headers, body), body.length)
      : httpResponse(200, headers, body);
  } catch {
    return httpError(404, 'not found');
  }
}

/** A HEAD request gets the GET's head (with its Content-Length) and no body. */
function headOf(response: Buffer, bodyLength: number): Buffer {
  return response.subarray(0, response.length - bodyLength);
}

/** Builds the raw HTTP responses JS sends (a static file or an error), each followed by the close. */

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  426: 'Upgrade Required',
  500: 'Internal Server Error',
};

/** One response head (+ body) as bytes; the connection closes after it. */
export function httpResponse(
  status: number,
  headers: Readonly<Record<string, string>> = {},
  body: Uint8Array = new Uint8Array(0),
): Buffer {
  const lines = [`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push('Connection: close', `Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body.length === 0 ? head : Buffer.concat([head, body]);
}

/** A short plain-text error response. */
export function httpError(
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): Buffer {
  return httpResponse(
    status,
    { 'Content-Type': 'text/plain; charset=utf-8', ...headers },
    Buffer.from(`${text}\n`),
  );
}

/** LOG_FORMAT picks pino's JSON lines (default) or pino-pretty's text; a bad value is named. */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../framework/logging';

const saved = process.env.LOG_FORMAT;
afterEach(() => {
  if (saved === undefined) delete process.env.LOG_FORMAT;
  else process.env.LOG_FORMAT = saved;
});

function collect(): { text: () => string; destination: Writable } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { text: () => chunks.join(''), destination };
}

describe('LOG_FORMAT', () => {
  it('unset or json: one JSON line per event', () => {
    delete process.env.LOG_FORMAT;
    const out = collect();
    createLogger({ destination: out.destination }).info({ port: 1 }, 'listening');
    process.env.LOG_FORMAT = 'json';
    createLogger({ destination: out.destination }).info('again');
    const lines = out.text().trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['listening', 'again']);
  });

  it('pretty: human-readable text, not JSON', () => {
    process.env.LOG_FORMAT = 'pretty';
    const out = collect();
    createLogger({ destination: out.destination, name: 'chat' }).info('listening');
    expect(out.text()).toMatch(/INFO.*\(chat.*listening/);
    expect(() => JSON.parse(out.text())).toThrow();
  });

  it('an explicit pretty option wins over the environment', () => {
    process.env.LOG_FORMAT = 'pretty';
    const out = collect();
    createLogger({ destination: out.destination, pretty: false }).info('x');
    expect(JSON.parse(out.text())).toMatchObject({ msg: 'x' });
  });

  it('rejects an unknown format with the allowed ones', () => {
    process.env.LOG_FORMAT = 'xml';
    expect(() => createLogger()).toThrow('LOG_FORMAT must be one of json, pretty, got "xml"');
  });
});

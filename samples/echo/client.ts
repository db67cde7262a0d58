/**
 * Echo client: connects (Hello handshake), sends --count EchoReq requests carrying --message, checks every
 * EchoRes carries the same bytes back and prints the round-trip times. Exit code 0 when all came back intact.
 *
 *   npm run echo:client                                   # 127.0.0.1:7200, 3 requests
 *   node dist/samples/echo/client.js --message hi --count 10 --port 7200
 */
import { GameClient } from '../../framework';
import { parseFlags, runMain, type Flags } from '../common/flags';
import { EchoReq } from './generated/packets';
import { ECHO_DEFAULTS } from './server';

const CLIENT_DEFAULTS = {
  host: ECHO_DEFAULTS.host,
  port: ECHO_DEFAULTS.port,
  message: 'hello, FastPort',
  count: 3,
};

export interface EchoRun {
  /** Round-trip time of each request in milliseconds. */
  rttMs: number[];
  /** Requests whose answer differed from what was sent. */
  mismatches: number;
}

/** Sends `count` echo requests one after another over one connection. */
export async function runEchoClient(
  options: Flags<typeof CLIENT_DEFAULTS>,
  log = console.log,
): Promise<EchoRun> {
  const client = await GameClient.connect({ host: options.host, port: options.port });
  const run: EchoRun = { rttMs: [], mismatches: 0 };
  try {
    log(`connected to ${options.host}:${options.port} as session ${client.sessionId}`);
    for (let i = 1; i <= options.count; i++) {
      const sent = Buffer.from(`${options.message} #${i}`);
      const started = process.hrtime.bigint();
      const res = await client.request(EchoReq, { data: sent });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      run.rttMs.push(ms);
      const intact = Buffer.from(res.data).equals(sent);
      if (!intact) run.mismatches++;
      log(
        `echo ${i}: ${JSON.stringify(Buffer.from(res.data).toString())} in ${ms.toFixed(2)} ms${intact ? '' : ' (MISMATCH)'}`,
      );
    }
  } finally {
    await client.close();
  }
  return run;
}

async function main(): Promise<void> {
  const run = await runEchoClient(
    parseFlags(process.argv.slice(2), CLIENT_DEFAULTS, 'echo client', {
      summary: 'Sends --count echo requests to the echo server and prints each round trip.',
    }),
  );
  if (run.mismatches > 0)
    throw new Error(`${run.mismatches} of ${run.rttMs.length} echoes came back different`);
}

if (require.main === module) runMain('echo client', main);

/**
 * Chat client. Interactive by default (two terminals: `--name alice` and `--name bob`); `--script` runs
 * commands separated by ';' and exits (bot mode for tests and demos); `--bots N` runs the broadcast load
 * (N members in one room, --senders of them talking at --rate messages/s for --duration s) and prints JSON.
 *
 *   npm run chat:client -- --name alice
 *   npm run chat:client -- --name bob --script "/join lobby; hello; /msg alice hi; /quit"
 *   npm run chat:client -- --bots 500 --room bench --senders 10 --rate 1000 --duration 10
 *
 * `--account ID` names an account: logging in again with it (elsewhere) kicks the older session. Without
 * it every run is a fresh account, so a nickname that is in use is refused.
 */
import * as readline from 'node:readline';
import { parseFlags, runMain } from '../common/flags';
import { runBotLoad } from './bots';
import { ChatClient } from './chat-client';
import { formatEvent, HELP, joinedLines, runCommand } from './commands';
import { CHAT_DEFAULTS } from './server';

const CLIENT_DEFAULTS = {
  host: CHAT_DEFAULTS.host,
  port: CHAT_DEFAULTS.port,
  name: '',
  account: '',
  room: '',
  script: '',
  bots: 0,
  senders: 10,
  rate: 1000,
  duration: 10,
};

/** Runs the commands one after another, printing what each did; stops at /quit or when disconnected. */
async function runScript(client: ChatClient, script: string): Promise<void> {
  for (const line of script.split(';')) {
    if (!client.game.connected) return;
    const result = await runCommand(client, line);
    for (const text of result.lines) console.log(text);
    if (result.quit) return;
  }
}

async function interactive(client: ChatClient): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
  const print = (text: string): void => {
    if (process.stdout.isTTY) {
      readline.clearLine(process.stdout, 0); // print over the prompt, then draw it again below
      readline.cursorTo(process.stdout, 0);
    }
    console.log(text);
    rl.prompt(true);
  };
  rl.on('SIGINT', () => rl.close()); // Ctrl-C quits like /quit (readline would only pause)
  const stopPrinting = client.onEvent((event) => {
    print(formatEvent(event));
    if (event.kind === 'closed') rl.close();
  });
  console.log(HELP);
  rl.prompt();
  for await (const line of rl) {
    const result = await runCommand(client, line);
    for (const text of result.lines) print(text);
    if (result.quit) break;
    rl.prompt();
  }
  stopPrinting();
  rl.close();
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), CLIENT_DEFAULTS, 'chat client', {
    summary:
      'Interactive chat client (/join ROOM, text, /msg USER TEXT, /rooms, /leave, /quit); --script runs ' +
      'commands separated by ";"; --bots N runs a load of N bots instead.',
  });
  if (flags.bots > 0) {
    const room = flags.room || 'bench';
    const report = await runBotLoad({ ...flags, room, durationS: flags.duration });
    console.log(JSON.stringify(report));
    return;
  }
  const client = await ChatClient.connect(flags);
  const { name, joined } = await client.login(flags.name, flags.account, flags.room);
  console.log(`* logged in as ${name} on ${flags.host}:${flags.port}`);
  if (joined !== undefined) for (const line of joinedLines(joined)) console.log(line);
  const stopPrinting =
    flags.script !== '' ? client.onEvent((event) => console.log(formatEvent(event))) : () => undefined;
  await (flags.script !== '' ? runScript(client, flags.script) : interactive(client));
  stopPrinting();
  await client.close();
}

if (require.main === module) runMain('chat client', main);

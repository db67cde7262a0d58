// No Node imports: the web page (web/app.ts) runs the same commands.
import { RequestError } from '../../framework/client/client-core';
import type { ReconnectEvent } from '../../framework/resume/client-resume';
import type { ChatClientCore as ChatClient, ChatEvent } from './chat-client-core';
import type { JoinRoomRes } from './generated/packets';

export const HELP = [
  'commands:',
  '  /rooms               list the rooms and how many are in each',
  '  /create ROOM         create a room',
  '  /join ROOM           join a room (created if missing), leaving the current one',
  '  /leave               leave the current room',
  '  /msg NAME TEXT       private message to NAME',
  '  /quit                disconnect and exit',
  '  anything else        said to the current room',
].join('\n');

/** What a command line did: lines to print, and whether the user asked to quit. */
export interface CommandResult {
  lines: string[];
  quit: boolean;
}

function time(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 5);
}

/** One event as the terminal shows it. */
export function formatEvent(event: ChatEvent): string {
  switch (event.kind) {
    case 'message':
      return `[${event.message.room} ${time(event.message.sentAtMs)}] ${event.message.from}: ${event.message.text}`;
    case 'private':
      return `[private] ${event.from}: ${event.text}`;
    case 'joined':
      return `* ${event.name} joined ${event.room}`;
    case 'left':
      return `* ${event.name} left ${event.room}`;
    case 'closed':
      return event.kick !== undefined ? `* disconnected: ${event.kick}` : `* disconnected (${event.reason})`;
    case 'connection':
      return formatConnection(event.event);
  }
}

function formatConnection(event: ReconnectEvent): string {
  if (event.type === 'reconnecting')
    return `* connection lost (${event.reason}), reconnecting (attempt ${event.attempt})`;
  if (event.type === 'resumed')
    return `* reconnected: still in your room, ${event.replayed} missed frames delivered`;
  return event.fresh
    ? `* session lost (${event.reason}), logging in again`
    : `* session lost (${event.reason})`;
}

/** What joining a room shows: who is there, then the room's recent messages. */
export function joinedLines(res: JoinRoomRes): string[] {
  const history = res.history.map((message) => formatEvent({ kind: 'message', message }));
  return [`* joined ${res.room}: ${res.members.join(', ')}`, ...history];
}

async function run(client: ChatClient, line: string): Promise<CommandResult> {
  const [command, ...rest] = line.split(/\s+/);
  const arg = rest.join(' ');
  const done = (...lines: string[]): CommandResult => ({ lines, quit: false });
  if (!line.startsWith('/')) {
    const delivered = await client.say(line);
    return done(...(delivered > 0 ? [] : ['* nobody got that']));
  }
  switch (command) {
    case '/rooms': {
      const rooms = await client.rooms();
      if (rooms.length === 0) return done('* no rooms yet: /join NAME creates one');
      return done(...rooms.map((r) => `  ${r.name} (${r.members})`));
    }
    case '/create':
      return done(`* created ${await client.create(arg)}`);
    case '/join':
      return done(...joinedLines(await client.join(arg)));
    case '/leave':
      return done(`* left ${await client.leave()}`);
    case '/msg': {
      const [to, ...words] = rest;
      if (to === undefined || words.length === 0) return done('usage: /msg NAME TEXT');
      await client.whisper(to, words.join(' '));
      return done(`[private to ${to}] ${words.join(' ')}`);
    }
    case '/quit':
      return { lines: [], quit: true };
    case '/help':
      return done(HELP);
    default:
      return done(`unknown command ${command} (/help lists them)`);
  }
}

/** Runs one line typed by the user; a refused request becomes a printed error, not an exception. */
export async function runCommand(client: ChatClient, input: string): Promise<CommandResult> {
  const line = input.trim();
  if (line === '') return { lines: [], quit: false };
  try {
    return await run(client, line);
  } catch (error) {
    if (error instanceof RequestError) return { lines: [`! ${error.code}: ${error.message}`], quit: false };
    throw error;
  }
}

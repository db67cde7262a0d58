/**
 * The chat sample's web page: the same chat protocol (ChatClientCore) and commands (commands.ts) as the
 * terminal client, over the browser GameClient on the page's own origin (the chat server serves this page
 * and WebSocket on one port). Session resume is on: a dropped connection shows `reconnecting`, then
 * `resumed` with the user still in the room; a lost session logs in again with the same name and room.
 * Bundled by scripts/browser/build-browser.js into app.js.
 */
import { GameClient } from '../../../framework/client/browser';
import { RequestError } from '../../../framework/client/client-core';
import { ChatClientCore, type ChatEvent } from '../chat-client-core';
import { formatEvent, runCommand } from '../commands';
import type { JoinRoomRes } from '../generated/packets';

/** What the status badge shows (its data-state attribute too). */
type ConnectionState = 'offline' | 'connected' | 'reconnecting' | 'resumed' | 'lost';
type LineKind = '' | 'private' | 'notice' | 'error';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`index.html has no #${id}`);
  return found as T;
}

const ui = {
  status: element('status'),
  me: element('me'),
  loginForm: element<HTMLFormElement>('login'),
  name: element<HTMLInputElement>('name'),
  loginRoom: element<HTMLInputElement>('login-room'),
  loginError: element('login-error'),
  chat: element('chat'),
  rooms: element('rooms'),
  refresh: element<HTMLButtonElement>('refresh'),
  joinForm: element<HTMLFormElement>('join'),
  joinRoom: element<HTMLInputElement>('join-room'),
  room: element('room'),
  leave: element<HTMLButtonElement>('leave'),
  members: element('members'),
  log: element('log'),
  sayForm: element<HTMLFormElement>('say'),
  to: element<HTMLInputElement>('to'),
  text: element<HTMLInputElement>('text'),
};

let chat: ChatClientCore | undefined;
const members = new Set<string>();

/** The server is the page's own origin: ws:// for http pages, wss:// for https. */
function serverUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
}

function setState(state: ConnectionState): void {
  ui.status.dataset.state = state;
  ui.status.textContent = state;
}

function print(text: string, kind: LineKind = ''): void {
  const line = document.createElement('li');
  line.textContent = text;
  if (kind !== '') line.className = kind;
  ui.log.append(line);
  line.scrollIntoView({ block: 'end' });
}

function kindOf(event: ChatEvent): LineKind {
  if (event.kind === 'private') return 'private';
  return event.kind === 'message' ? '' : 'notice';
}

function describe(error: unknown): string {
  if (error instanceof RequestError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function showMembers(): void {
  ui.room.textContent = chat?.room ?? 'no room';
  ui.leave.disabled = chat?.room === undefined;
  ui.members.replaceChildren(
    ...[...members].sort().map((name) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = name;
      button.title = `private message to ${name}`;
      button.onclick = () => {
        ui.to.value = name;
        ui.text.focus();
      };
      item.append(button);
      return item;
    }),
  );
}

function showJoined(res: JoinRoomRes): void {
  members.clear();
  for (const name of res.members) members.add(name);
  showMembers();
  print(`* joined ${res.room}: ${res.members.join(', ')}`, 'notice');
  for (const message of res.history) print(formatEvent({ kind: 'message', message }));
}

async function showRooms(): Promise<void> {
  if (chat === undefined) return;
  const rooms = await chat.rooms();
  ui.rooms.replaceChildren(
    ...rooms.map((room) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Join';
      button.onclick = () => void run(() => join(room.name));
      item.append(`${room.name} (${room.members})`, button);
      return item;
    }),
  );
}

async function join(room: string): Promise<void> {
  showJoined(await chat!.join(room));
  await showRooms();
}

async function leave(): Promise<void> {
  print(`* left ${await chat!.leave()}`, 'notice');
  members.clear();
  showMembers();
  await showRooms();
}

/** Runs a user action; a refused request is printed, never thrown. */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    print(`! ${describe(error)}`, 'error');
  }
}

function onEvent(event: ChatEvent): void {
  print(formatEvent(event), kindOf(event));
  if (event.kind === 'joined' && event.room === chat?.room) members.add(event.name);
  if (event.kind === 'left' && event.room === chat?.room) members.delete(event.name);
  if (event.kind === 'closed') setState('lost');
  if (event.kind === 'connection') {
    const { type } = event.event;
    setState(type);
    if (type === 'lost' && event.event.fresh) void run(() => logInAgain(event.room));
  }
  showMembers();
}

/** A lost session (server restart, away too long): log in again with the same name and room. */
async function logInAgain(room: string | undefined): Promise<void> {
  const name = ui.me.dataset.name ?? '';
  const res = await chat!.login(name, '', room ?? '');
  setState('connected');
  members.clear();
  if (res.joined !== undefined) showJoined(res.joined);
  showMembers();
}

async function logIn(name: string, room: string): Promise<void> {
  const game = await GameClient.connect({ url: serverUrl(), resume: true });
  const client = new ChatClientCore(game);
  try {
    const res = await client.login(name, '', room);
    chat = client;
    client.onEvent(onEvent);
    ui.me.dataset.name = res.name;
    ui.me.textContent = res.name;
    setState('connected');
    ui.loginForm.hidden = true;
    ui.chat.hidden = false;
    print(`* logged in as ${res.name} on ${location.host}`, 'notice');
    if (res.joined !== undefined) showJoined(res.joined);
    showMembers();
    await showRooms();
    ui.text.focus();
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** The message box: text to the room, or to one user when "private to" is filled; /commands as in the terminal. */
async function send(text: string): Promise<void> {
  const to = ui.to.value.trim();
  if (to !== '' && !text.startsWith('/')) {
    await chat!.whisper(to, text);
    print(`[private to ${to}] ${text}`, 'private');
    return;
  }
  const [command, ...rest] = text.split(/\s+/);
  if (command === '/join') return join(rest.join(' '));
  if (command === '/leave') return leave();
  const result = await runCommand(chat!, text);
  for (const line of result.lines) print(line, line.startsWith('!') ? 'error' : 'notice');
  if (result.quit) {
    await chat!.close();
    setState('offline');
  }
}

ui.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  ui.loginError.textContent = '';
  logIn(ui.name.value.trim(), ui.loginRoom.value.trim()).catch((error: unknown) => {
    ui.loginError.textContent = describe(error);
  });
});
ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const room = ui.joinRoom.value.trim();
  if (room === '') return;
  ui.joinRoom.value = '';
  void run(() => join(room));
});
ui.sayForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.text.value.trim();
  if (text === '' || chat === undefined) return;
  ui.text.value = '';
  void run(() => send(text));
});
ui.leave.addEventListener('click', () => void run(leave));
ui.refresh.addEventListener('click', () => void run(showRooms));

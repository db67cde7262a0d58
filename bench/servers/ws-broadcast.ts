/**
 * Baseline for the room broadcast over WebSocket: what someone would write on the `ws` package for the
 * chat sample's messages (samples/chat/proto/chat.proto, its generated encoders). LoginReq with a room
 * joins it (members are told with MemberJoined, the joiner gets the members and the last 50 messages);
 * SayReq becomes one ChatMessage frame sent to every member with `socket.send`, the sender included, and
 * is answered with SayRes. No validation beyond the decoder: it is a bench baseline.
 */
import type { WebSocket } from 'ws';
import {
  ChatMessage,
  LoginReq,
  LoginRes,
  MemberJoined,
  MemberLeft,
  SayReq,
  SayRes,
} from '../../samples/chat/generated/chat';
import { encodeFrame } from '../../framework/transport/wire';
import { FrameSplitter, HEADER_BYTES } from './frame-splitter';
import { serveWebSocket } from './listen';

/** Message ids of chat.proto. */
const ID = {
  loginReq: 200,
  loginRes: 201,
  sayReq: 210,
  sayRes: 211,
  chatMessage: 220,
  memberJoined: 222,
  memberLeft: 223,
} as const;
const HISTORY_LENGTH = 50;

interface Member {
  socket: WebSocket;
  name: string;
  room?: Room;
}

interface Room {
  name: string;
  members: Set<Member>;
  history: ChatMessage[];
}

const rooms = new Map<string, Room>();
let guests = 0;

function toEveryone(room: Room, frame: Buffer): void {
  for (const member of room.members) member.socket.send(frame);
}

function join(member: Member, roomName: string): Room {
  let room = rooms.get(roomName);
  if (room === undefined) {
    room = { name: roomName, members: new Set(), history: [] };
    rooms.set(roomName, room);
  }
  const joined = MemberJoined.encode({ room: roomName, name: member.name }).finish();
  toEveryone(room, encodeFrame(ID.memberJoined, 0, joined));
  room.members.add(member);
  member.room = room;
  return room;
}

function leave(member: Member): void {
  const room = member.room;
  if (room === undefined) return;
  room.members.delete(member);
  member.room = undefined;
  if (room.members.size === 0) {
    rooms.delete(room.name);
    return;
  }
  toEveryone(
    room,
    encodeFrame(ID.memberLeft, 0, MemberLeft.encode({ room: room.name, name: member.name }).finish()),
  );
}

function onLogin(member: Member, seq: number, body: Buffer): void {
  const request = LoginReq.decode(body);
  member.name = request.name.trim() || `guest-${++guests}`;
  let reply: LoginRes = { name: member.name };
  if (request.room !== '') {
    const room = join(member, request.room);
    const members = [...room.members].map((m) => m.name);
    reply = { name: member.name, joined: { room: room.name, members, history: [...room.history] } };
  }
  member.socket.send(encodeFrame(ID.loginRes, seq, LoginRes.encode(reply).finish()));
}

function onSay(member: Member, seq: number, body: Buffer): void {
  const room = member.room;
  if (room === undefined) return;
  const { text } = SayReq.decode(body);
  const message: ChatMessage = { room: room.name, from: member.name, text, sentAtMs: Date.now() };
  room.history.push(message);
  if (room.history.length > HISTORY_LENGTH) room.history.shift();
  toEveryone(room, encodeFrame(ID.chatMessage, 0, ChatMessage.encode(message).finish()));
  member.socket.send(encodeFrame(ID.sayRes, seq, SayRes.encode({ delivered: room.members.size }).finish()));
}

serveWebSocket('ws-broadcast', (socket) => {
  const member: Member = { socket, name: '' };
  const splitter = new FrameSplitter();
  const onFrame = (frame: Buffer): void => {
    const msgId = frame.readUInt16BE(4);
    const seq = frame.readUInt32BE(6);
    const body = frame.subarray(HEADER_BYTES);
    if (msgId === ID.loginReq) onLogin(member, seq, body);
    else if (msgId === ID.sayReq) onSay(member, seq, body);
    // the Hello and anything else: nothing to answer
  };
  socket.on('message', (data: Buffer) => {
    try {
      splitter.push(data, onFrame);
    } catch {
      socket.terminate(); // bad frame length or payload
    }
  });
  socket.on('close', () => leave(member));
});

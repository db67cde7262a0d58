import { jsonMessage, jsonRequest } from './json-messages';

/** The test application's messages (ids 100+). */
export interface LoginRes {
  userId: number;
  name: string;
}
export const LoginRes = jsonMessage<LoginRes>(101, 'test.LoginRes', { userId: 0, name: '' }, 'response');
export interface LoginReq {
  name: string;
}
export const LoginReq = jsonRequest<LoginReq, LoginRes>(100, 'test.LoginReq', { name: '' }, LoginRes);

export interface EchoRes {
  text: string;
  /** The position of this request among the session's handled messages (1-based). */
  order: number;
}
export const EchoRes = jsonMessage<EchoRes>(103, 'test.EchoRes', { text: '', order: 0 }, 'response');
export interface EchoReq {
  text: string;
  delayMs: number;
}
export const EchoReq = jsonRequest<EchoReq, EchoRes>(102, 'test.EchoReq', { text: '', delayMs: 0 }, EchoRes);

/** One-way: the handler appends `n` to the session's log after `delayMs`. */
export interface Note {
  n: number;
  delayMs: number;
}
export const Note = jsonMessage<Note>(104, 'test.Note', { n: 0, delayMs: 0 });

export interface NotesRes {
  notes: number[];
}
export const NotesRes = jsonMessage<NotesRes>(106, 'test.NotesRes', { notes: [] }, 'response');
export type NotesReq = Record<string, never>;
export const NotesReq = jsonRequest<NotesReq, NotesRes>(105, 'test.NotesReq', {}, NotesRes);

export interface FailRes {
  ok: boolean;
}
export const FailRes = jsonMessage<FailRes>(108, 'test.FailRes', { ok: false }, 'response');
export interface FailReq {
  mode: 'game' | 'plain' | 'async' | 'none';
}
export const FailReq = jsonRequest<FailReq, FailRes>(107, 'test.FailReq', { mode: 'none' }, FailRes);

export interface JoinRes {
  members: number;
}
export const JoinRes = jsonMessage<JoinRes>(110, 'test.JoinRes', { members: 0 }, 'response');
export interface JoinReq {
  room: string;
}
export const JoinReq = jsonRequest<JoinReq, JoinRes>(109, 'test.JoinReq', { room: '' }, JoinRes);

export interface Say {
  room: string;
  text: string;
}
export const Say = jsonMessage<Say>(111, 'test.Say', { room: '', text: '' });
export interface Said {
  from: number;
  text: string;
}
export const Said = jsonMessage<Said>(112, 'test.Said', { from: 0, text: '' });

/** Waits until the test opens the gate named `gate`. */
export interface WaitRes {
  gate: string;
}
export const WaitRes = jsonMessage<WaitRes>(114, 'test.WaitRes', { gate: '' }, 'response');
export interface WaitReq {
  gate: string;
}
export const WaitReq = jsonRequest<WaitReq, WaitRes>(113, 'test.WaitReq', { gate: '' }, WaitRes);

/** Registered but handled by no controller. */
export interface Orphan {
  x: number;
}
export const Orphan = jsonMessage<Orphan>(115, 'test.Orphan', { x: 0 });

export const allMessages = [LoginReq, EchoReq, Note, NotesReq, FailReq, JoinReq, Say, Said, WaitReq, Orphan];

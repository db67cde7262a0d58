import { jsonMessage, jsonRequest } from '../../framework/support/json-messages';

/** The cluster test application's messages (JSON test doubles of generated packets). */
export interface HelloNodeRes {
  node: string;
}
export const HelloNodeRes = jsonMessage<HelloNodeRes>(201, 'ctest.HelloNodeRes', { node: '' }, 'response');
/** Logs in as `name` (registered in the cluster's user directory) and names the node. */
export interface HelloNodeReq {
  name: string;
}
export const HelloNodeReq = jsonRequest<HelloNodeReq, HelloNodeRes>(
  200,
  'ctest.HelloNodeReq',
  { name: '' },
  HelloNodeRes,
);

export interface JoinRoomRes {
  node: string;
}
export const JoinRoomRes = jsonMessage<JoinRoomRes>(203, 'ctest.JoinRoomRes', { node: '' }, 'response');
/** Joins the cluster room and tells the room's actor (type 'room'). */
export interface JoinRoomReq {
  room: string;
}
export const JoinRoomReq = jsonRequest<JoinRoomReq, JoinRoomRes>(
  202,
  'ctest.JoinRoomReq',
  { room: '' },
  JoinRoomRes,
);

/** One-way: broadcast to the cluster room. */
export interface Shout {
  room: string;
  text: string;
}
export const Shout = jsonMessage<Shout>(204, 'ctest.Shout', { room: '', text: '' });
export interface Shouted {
  from: string;
  text: string;
}
export const Shouted = jsonMessage<Shouted>(205, 'ctest.Shouted', { from: '', text: '' });

export interface CounterRes {
  log: number[];
  node: string;
  reason: string;
  previousNode: string;
}
export const CounterRes = jsonMessage<CounterRes>(
  207,
  'ctest.CounterRes',
  { log: [], node: '', reason: '', previousNode: '' },
  'response',
);
/** Tells the counter actor `id` the numbers first..first+count-1 one by one, then asks for its log. */
export interface CounterReq {
  actor: string;
  id: string;
  first: number;
  count: number;
}
export const CounterReq = jsonRequest<CounterReq, CounterRes>(
  206,
  'ctest.CounterReq',
  { actor: 'counter', id: '', first: 0, count: 0 },
  CounterRes,
);

export interface PushRes {
  delivered: boolean;
}
export const PushRes = jsonMessage<PushRes>(209, 'ctest.PushRes', { delivered: false }, 'response');
/** Pushes Pushed to the user, on whichever node. */
export interface PushReq {
  user: string;
  text: string;
}
export const PushReq = jsonRequest<PushReq, PushRes>(208, 'ctest.PushReq', { user: '', text: '' }, PushRes);
export interface Pushed {
  text: string;
  node: string;
}
export const Pushed = jsonMessage<Pushed>(210, 'ctest.Pushed', { text: '', node: '' });

/** Pushed to this node's members of a room whose actor failed over. */
export interface RoomReset {
  room: string;
  node: string;
  previousNode: string;
}
export const RoomReset = jsonMessage<RoomReset>(211, 'ctest.RoomReset', {
  room: '',
  node: '',
  previousNode: '',
});

/** Matchmaker rooms across nodes: a session on any node enters the hub room with that id (made if none). */
export interface HubRes {
  /** The node that hosts the room. */
  host: string;
  /** Members' names (the joiner last on a join); `delivered`: members a HubSay reached. */
  members: string[];
  delivered: number;
}
export const HubRes = jsonMessage<HubRes>(
  213,
  'ctest.HubRes',
  { host: '', members: [], delivered: 0 },
  'response',
);
export interface EnterHubReq {
  room: string;
}
export const EnterHubReq = jsonRequest<EnterHubReq, HubRes>(212, 'ctest.EnterHubReq', { room: '' }, HubRes);
/** Room-scoped (HubRoom): said to every member. */
export interface HubSayReq {
  text: string;
}
export const HubSayReq = jsonRequest<HubSayReq, HubRes>(214, 'ctest.HubSayReq', { text: '' }, HubRes);
export interface HubSaid {
  from: string;
  text: string;
}
export const HubSaid = jsonMessage<HubSaid>(215, 'ctest.HubSaid', { from: '', text: '' });
/** Broadcast by the hub's onJoin / onLeave. */
export interface HubEvent {
  kind: 'joined' | 'left';
  name: string;
  reason: string;
}
export const HubEvent = jsonMessage<HubEvent>(216, 'ctest.HubEvent', {
  kind: 'joined',
  name: '',
  reason: '',
});
export interface LeaveHubRes {
  left: boolean;
}
export const LeaveHubRes = jsonMessage<LeaveHubRes>(218, 'ctest.LeaveHubRes', { left: false }, 'response');
export interface LeaveHubReq {
  room: string;
}
export const LeaveHubReq = jsonRequest<LeaveHubReq, LeaveHubRes>(
  217,
  'ctest.LeaveHubReq',
  { room: '' },
  LeaveHubRes,
);

export const clusterMessages = [
  EnterHubReq,
  HubSayReq,
  HubSaid,
  HubEvent,
  LeaveHubReq,
  HelloNodeReq,
  JoinRoomReq,
  Shout,
  Shouted,
  CounterReq,
  PushReq,
  Pushed,
  RoomReset,
];

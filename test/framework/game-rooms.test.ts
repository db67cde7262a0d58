/** Rooms as actors, matchmaking, the user index, middleware and undone turns, over every engine. */
import { afterEach, describe, expect, it } from 'vitest';
import type { GameClient } from '../../framework/client/game-client';
import { timing } from '../../framework/handlers/guards';
import { roles, rateLimit } from '../../framework/handlers/guards';
import type { HandlerContext } from '../../framework/handlers/middleware';
import type { Player } from './support/room-app';
import {
  AdminReq,
  EnterReq,
  ArenaRoom,
  hookLog,
  LeaveReq,
  LimitedReq,
  MoveReq,
  SignInReq,
  startRoomApp,
  Tick,
  UnhandledReq,
  type RoomApp,
} from './support/room-app';
import { availableTransports } from './support/transports';

const enter = (client: GameClient, fields: Partial<EnterReq>) =>
  client.request(EnterReq, { how: 'joinOrCreate', id: '', mode: '', refuse: false, ...fields });

describe.each(availableTransports())(
  'rooms, matchmaking, users and middleware on $engine',
  (transportCase) => {
    let app: RoomApp | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
      hookLog.length = 0;
    });

    it('runs the hooks in order and disposes an empty room at every leave, not only the first', async () => {
      app = await startRoomApp(transportCase);
      const [a, b] = [await app.player('a'), await app.player('b')];
      const first = await enter(a, { id: 'r1' });
      expect(first).toEqual({ roomId: 'r1', seat: 1 });
      expect(await enter(b, { id: 'r1' })).toEqual({ roomId: 'r1', seat: 2 });
      expect(await a.request(LeaveReq, {})).toEqual({ left: true });
      expect(app.server.rooms.get('r1')).toBeDefined(); // b is still in
      await b.close(); // a close leaves too
      await expect.poll(() => app!.server.rooms.get('r1')).toBeUndefined();
      expect(hookLog).toEqual([
        'create r1',
        'join r1 a',
        'join r1 b',
        'leave r1 a left',
        'leave r1 b closed',
        'dispose r1',
      ]);
      // The id is free again: a new room, a new onCreate; it empties and goes again.
      await enter(a, { id: 'r1' });
      await a.request(LeaveReq, {});
      await expect
        .poll(() => hookLog.slice(6))
        .toEqual(['create r1', 'join r1 a', 'leave r1 a left', 'dispose r1']);
      expect(app.server.actors.get('room:arena:r1')).toBeUndefined();
    });

    it('never passes maxClients under concurrent joins, and a refused join frees its seat', async () => {
      app = await startRoomApp(transportCase);
      const players = await Promise.all(Array.from({ length: 8 }, (_, i) => app!.player(`p${i}`)));
      const owner = players[0];
      await enter(owner, { id: 'full' });
      const results = await Promise.allSettled(
        players.slice(1).map((p) => enter(p, { how: 'join', id: 'full' })),
      );
      const joined = results.filter((r) => r.status === 'fulfilled');
      const refused = results
        .filter((r) => r.status === 'rejected')
        .map((r) => (r as PromiseRejectedResult).reason);
      expect(joined).toHaveLength(2); // maxClients 3, the owner holds one
      expect(refused.every((e) => e.code === 'ROOM_FULL')).toBe(true);
      expect((await app.server.rooms.list('arena'))[0]).toMatchObject({
        id: 'full',
        clients: 3,
        maxClients: 3,
      });

      const other = await app.player('x');
      await enter(other, { id: 'open' });
      const late = await app.player('y');
      await expect(enter(late, { how: 'join', id: 'open', refuse: true })).rejects.toMatchObject({
        code: 'NOT_WELCOME',
      });
      expect((await app.server.rooms.list('arena', {})).find((r) => r.id === 'open')?.clients).toBe(1);
      await expect(enter(late, { how: 'join', id: 'nowhere' })).rejects.toMatchObject({
        code: 'NO_SUCH_ROOM',
      });
      await expect(enter(other, { how: 'join', id: 'full' })).rejects.toMatchObject({
        code: 'ALREADY_IN_ROOM',
      });
    });

    it('matches by metadata: joinOrCreate fills a matching room first, list filters', async () => {
      app = await startRoomApp(transportCase);
      const players = await Promise.all(Array.from({ length: 5 }, (_, i) => app!.player(`m${i}`)));
      const rooms: string[] = [];
      for (const player of players.slice(0, 4)) rooms.push((await enter(player, { mode: 'duel' })).roomId);
      rooms.push((await enter(players[4], { mode: 'ffa' })).roomId);
      expect(rooms[0]).toBe(rooms[1]);
      expect(rooms[0]).toBe(rooms[2]); // three seats
      expect(rooms[3]).not.toBe(rooms[0]); // full: a second duel room
      expect(rooms[4]).not.toBe(rooms[3]);
      const duels = await app.server.rooms.list('arena', { mode: 'duel' });
      expect(duels.map((r) => [r.id, r.clients])).toEqual([
        [rooms[0], 3],
        [rooms[3], 1],
      ]);
      expect((await app.server.rooms.list('arena', { mode: 'ffa' })).map((r) => r.id)).toEqual([rooms[4]]);
    });

    it('runs room-scoped handlers in the room mailbox one at a time, and ticks the game loop', async () => {
      app = await startRoomApp(transportCase);
      const players = await Promise.all(Array.from({ length: 3 }, (_, i) => app!.player(`g${i}`)));
      for (const player of players) await enter(player, { id: 'game' });
      const outsider = await app.player('out');
      await expect(outsider.request(MoveReq, { dx: 1 })).rejects.toMatchObject({ code: 'NOT_IN_ROOM' });
      const moves = await Promise.all(
        players.flatMap((p) => [1, 2, 3].map((dx) => p.request(MoveReq, { dx }))),
      );
      expect(moves.every((m) => !m.overlapped)).toBe(true);
      expect(Math.max(...moves.map((m) => m.x))).toBe(3 * 6); // no lost update
      const ticks: number[] = [];
      players[0].on(Tick, (tick) => ticks.push(tick.tick));
      await expect.poll(() => ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks).toEqual([...ticks].sort((x, y) => x - y));
    });

    it('bounds room creation per session and per server', async () => {
      app = await startRoomApp(transportCase, {
        rooms: { types: { arena: ArenaRoom }, maxRooms: 4, maxRoomsPerSession: 2 },
      });
      await expect(app.server.start()).rejects.toThrow(); // started already
      const a = await app.player('a');
      const b = await app.player('b');
      await enter(a, { how: 'create', id: 'a1' });
      await enter(a, { how: 'create', id: 'a2' });
      await expect(enter(a, { how: 'create', id: 'a3' })).rejects.toMatchObject({ code: 'ROOM_LIMIT' });
      await enter(b, { how: 'create', id: 'b1' });
      await expect(enter(b, { how: 'create', id: 'a1' })).rejects.toMatchObject({ code: 'ROOM_EXISTS' });
      await enter(b, { how: 'create', id: 'b2' }); // the 4th room on this server
      const c = await app.player('c');
      await expect(enter(c, { how: 'create', id: 'c1' })).rejects.toMatchObject({ code: 'ROOM_LIMIT' });
      // A session's rooms that are gone count no more.
      await app.server.rooms.get('a1')!.dispose();
      await expect.poll(() => app!.server.rooms.get('a1')).toBeUndefined();
      await enter(a, { how: 'create', id: 'a3' });
    });

    it('undoes a sign-in whose room join fails: the request changes nothing', async () => {
      app = await startRoomApp(transportCase);
      const client = await app.connect();
      await expect(
        client.request(SignInReq, { id: 'ann', roles: [], room: 'missing' }),
      ).rejects.toMatchObject({
        code: 'NO_SUCH_ROOM',
      });
      await expect(enter(client, {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(app.server.users.find('ann')).toBeUndefined();
      // The same client can sign in as ann now, and another user cannot be refused by a ghost.
      await client.request(SignInReq, { id: 'ann', roles: [], room: '' });
      expect(app.server.users.find('ann')?.id).toBe(client.sessionId);
    });

    it('takes over a second login (the older session is kicked) or refuses it', async () => {
      app = await startRoomApp(transportCase);
      const first = await app.player('kim');
      await enter(first, { id: 'k' });
      const second = await app.player('kim');
      expect(await first.whenClosed()).toBe('peer_closed');
      expect(first.kickReason).toBe('logged in from another connection');
      expect(app.server.users.find('kim')?.id).toBe(second.sessionId);
      await expect.poll(() => hookLog).toContain('leave k kim closed');
      await app.close();

      app = await startRoomApp(transportCase, {
        users: { idOf: (u: Player) => u.id, secondLogin: 'refuse' },
      });
      const holder = await app.player('lee');
      const intruder = await app.connect();
      await expect(intruder.request(SignInReq, { id: 'lee', roles: [], room: '' })).rejects.toMatchObject({
        code: 'ALREADY_LOGGED_IN',
      });
      expect(holder.connected).toBe(true);
      await expect(enter(intruder, {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('runs middleware around every handler: roles, per-handler rate limit, timing, in order', async () => {
      const timed: string[] = [];
      const order: string[] = [];
      app = await startRoomApp(transportCase, {
        use: [
          (context: HandlerContext, next: () => unknown) => {
            order.push(`outer ${context.handler.type.name}`);
            return next();
          },
          roles((user: Player) => user.roles),
          rateLimit(),
          timing((context, ms, error) =>
            timed.push(`${context.handler.label} ${ms >= 0} ${error ? 'error' : 'ok'}`),
          ),
        ],
      });
      const user = await app.player('u');
      const admin = await app.player('boss', ['admin']);
      await expect(user.request(AdminReq, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await admin.request(AdminReq, {})).toEqual({ ok: true });
      expect(await user.request(LimitedReq, { n: 1 })).toEqual({ n: 1 });
      expect(await user.request(LimitedReq, { n: 2 })).toEqual({ n: 2 });
      await expect(user.request(LimitedReq, { n: 3 })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      expect(await admin.request(LimitedReq, { n: 4 })).toEqual({ n: 4 }); // per session
      expect(user.connected).toBe(true);
      expect(order).toContain('outer rooms.AdminReq');
      expect(timed).toContain('RoomsController.admin true ok');
      expect(timed).not.toContain('RoomsController.admin true error'); // FORBIDDEN came before timing
    });

    it('names unknown and unhandled messages', async () => {
      app = await startRoomApp(transportCase);
      const warning = app.log.lines.find((line) => line.msg.includes('no handler for'));
      expect(warning?.msg).toBe(
        'no handler for rooms.UnhandledReq: clients sending them get UNKNOWN_MESSAGE',
      );
      const client = await app.player('n');
      await expect(client.request(UnhandledReq, {})).rejects.toMatchObject({
        code: 'UNKNOWN_MESSAGE',
        message: 'no handler for rooms.UnhandledReq (id 153) on this server',
      });
    });
  },
);

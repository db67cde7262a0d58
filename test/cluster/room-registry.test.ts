/**
 * The RoomRegistry contract over LocalRoomRegistry and the cluster's NatsRoomRegistry (two nodes sharing it
 * through a real nats-server): ids unique, listing with filters oldest first, seats never oversold even
 * when reserved from two nodes at once, removal only when empty; a dead node's rooms drop out of listings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRoomRegistry, type RoomListing, type RoomRegistry } from '../../framework/rooms/room-registry';
import { startTestNode, type TestNode } from './support/in-process';
import { NatsServer, natsSkipReason } from './support/nats-server';

interface Setup {
  /** Registries that share one directory (one per node). */
  registries: RoomRegistry[];
  stop(): Promise<void>;
  /** Stops the node of registries[index] (NATS only). */
  killNode?(index: number): Promise<void>;
}

const natsSkip = natsSkipReason();
const cases: { name: string; skip?: string; setup(): Promise<Setup> }[] = [
  {
    name: 'LocalRoomRegistry',
    setup() {
      const registry = new LocalRoomRegistry();
      return Promise.resolve({ registries: [registry, registry], stop: () => Promise.resolve() });
    },
  },
  {
    name: 'NatsRoomRegistry (2 nodes)',
    ...(natsSkip !== undefined ? { skip: natsSkip } : {}),
    async setup() {
      const nats = await NatsServer.start();
      const nodes: TestNode[] = [];
      for (const name of ['r1', 'r2', 'r3'])
        nodes.push(await startTestNode({ servers: nats.url, node: name, leaseTtlMs: 2000 }));
      return {
        registries: nodes.map((node) => node.server.cluster.roomRegistry),
        killNode: (index) => nodes[index].server.stop(),
        async stop() {
          await Promise.all(nodes.map((node) => node.server.stop()));
          await nats.stop();
        },
      };
    },
  },
];

let created = 0;
function listing(id: string, changes: Partial<RoomListing> = {}): RoomListing {
  return {
    id,
    type: 'arena',
    clients: 0,
    maxClients: 4,
    locked: false,
    metadata: {},
    createdAt: Date.now() + created++,
    ...changes,
  };
}

for (const testCase of cases) {
  describe.skipIf(testCase.skip !== undefined)(`room registry contract: ${testCase.name}`, () => {
    if (testCase.skip !== undefined) it.skip(testCase.skip, () => undefined);
    let setup: Setup;
    const [one, two] = [() => setup.registries[0], () => setup.registries[1]];
    beforeAll(async () => {
      setup = await testCase.setup();
    });
    afterAll(() => setup.stop());

    it('keeps room ids unique across nodes', async () => {
      expect(await one().add(listing('solo'))).toBe(true);
      expect(await two().add(listing('solo'))).toBe(false);
      expect(await two().find('solo')).toMatchObject({ id: 'solo', type: 'arena', clients: 0 });
    });

    it('lists rooms of a type matching a filter, oldest first', async () => {
      await one().add(listing('m1', { type: 'match', metadata: { mode: 'duel' } }));
      await two().add(listing('m2', { type: 'match', metadata: { mode: 'team' } }));
      await one().add(listing('m3', { type: 'match', metadata: { mode: 'duel' }, maxClients: Infinity }));
      expect((await two().list('match')).map((l) => l.id)).toEqual(['m1', 'm2', 'm3']);
      expect((await one().list('match', { mode: 'duel' })).map((l) => l.id)).toEqual(['m1', 'm3']);
      expect((await two().find('m3'))?.maxClients).toBe(Infinity);
    });

    it('never oversells seats reserved from two nodes at once', async () => {
      await one().add(listing('busy', { maxClients: 5 }));
      const attempts = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? one() : two()).reserve('busy'));
      const granted = (await Promise.all(attempts)).filter(Boolean).length;
      expect(granted).toBe(5);
      expect((await one().find('busy'))?.clients).toBe(5);
      await two().release('busy');
      expect(await one().reserve('busy')).toBe(true);
      expect(await two().reserve('busy')).toBe(false);
    });

    it('refuses seats in a locked room and in an unknown one', async () => {
      await one().add(listing('locked'));
      await two().update('locked', { locked: true, metadata: { why: 'starting' } });
      expect(await one().reserve('locked')).toBe(false);
      expect((await one().find('locked'))?.metadata).toEqual({ why: 'starting' });
      expect(await one().reserve('nowhere')).toBe(false);
    });

    it('removes a room only when no seat is taken', async () => {
      await one().add(listing('temp'));
      await one().reserve('temp');
      expect(await two().removeIfEmpty('temp')).toBe(false);
      await one().release('temp');
      expect(await two().removeIfEmpty('temp')).toBe(true);
      expect(await one().find('temp')).toBeUndefined();
      await one().add(listing('gone'));
      await two().remove('gone');
      expect(await one().find('gone')).toBeUndefined();
    });

    it.skipIf(testCase.name === 'LocalRoomRegistry')('drops the rooms of a node that left', async () => {
      const third = setup.registries[2];
      await third.add(listing('orphan', { type: 'lonely' }));
      expect((await one().list('lonely')).map((l) => l.id)).toEqual(['orphan']);
      await setup.killNode!(2);
      await expect.poll(() => one().list('lonely')).toEqual([]); // liveness is cached for up to 500 ms
      expect(await two().add(listing('orphan'))).toBe(true); // the id is free again
    });
  });
}

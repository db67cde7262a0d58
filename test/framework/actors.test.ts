import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Actor } from '../../framework/actors/actor';
import { ActorSystem } from '../../framework/actors/actor-system';

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Captures log lines as objects. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

type CounterMsg = { add: number } | { fail: string } | { slow: number } | 'get';

class Counter extends Actor<CounterMsg, number> {
  total = 0;
  started = 0;
  async receive(message: CounterMsg): Promise<number> {
    if (message === 'get') return this.total;
    if ('fail' in message) throw new Error(message.fail);
    if ('slow' in message) await tick(message.slow);
    else this.total += message.add;
    return this.total;
  }
  override onStart(): void {
    this.started++;
  }
}

class Ticker extends Actor<'count', number> {
  ticks = 0;
  override onStart(): void {
    this.every(5, () => {
      this.ticks++;
    });
  }
  receive(): number {
    return this.ticks;
  }
}

describe('actors', () => {
  it('tell and ask are handled in order; ask gets the reply', async () => {
    const system = new ActorSystem(pino({ level: 'silent' }));
    const counter = system.spawn('counter', () => new Counter());
    expect(counter.tell({ add: 2 })).toBe(true);
    counter.tell({ slow: 5 });
    counter.tell({ add: 3 });
    expect(await counter.ask('get')).toBe(5);
    expect(system.get('counter')).toBe(counter);
    expect(() => system.spawn('counter', () => new Counter())).toThrow(/already running/);
    await system.stopAll();
    expect(system.size).toBe(0);
  });

  it('ask rejects with TIMEOUT when no reply comes in time', async () => {
    const system = new ActorSystem(pino({ level: 'silent' }));
    const counter = system.spawn('slow', () => new Counter());
    await expect(counter.ask({ slow: 200 }, 20)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(await counter.ask({ add: 1 })).toBe(1); // still works afterwards
    await system.stopAll();
  });

  it('a throwing actor logs with its id, the asker gets the error, other actors continue', async () => {
    const { logger, lines } = memoryLogger();
    const system = new ActorSystem(logger);
    const a = system.spawn('room-a', () => new Counter());
    const b = system.spawn('room-b', () => new Counter());
    await expect(a.ask({ fail: 'boom' })).rejects.toThrow('boom');
    const logged = lines.find((line) => line.msg === 'actor message failed');
    expect(logged).toMatchObject({ actor: 'room-a', level: 50 });
    expect((logged?.err as { message: string }).message).toBe('boom');
    expect(await a.ask({ add: 1 })).toBe(1);
    expect(await b.ask({ add: 4 })).toBe(4);
    await system.stopAll();
  });

  it('timers run through the mailbox and are cancelled on stop', async () => {
    const system = new ActorSystem(pino({ level: 'silent' }));
    const ticker = system.spawn('ticker', () => new Ticker());
    await expect.poll(() => ticker.ask('count'), { interval: 5 }).toBeGreaterThanOrEqual(3);
    await ticker.stop();
    expect(ticker.stopped).toBe(true);
    await expect(ticker.ask('count')).rejects.toMatchObject({ code: 'ACTOR_STOPPED' });
    expect(ticker.tell('count')).toBe(false);
    expect(system.get('ticker')).toBeUndefined();
  });

  it('stop drops queued asks with ACTOR_STOPPED; restart gives a fresh instance and keeps order', async () => {
    const system = new ActorSystem(pino({ level: 'silent' }));
    const instances: Counter[] = [];
    const counter = system.spawn('c', () => {
      const instance = new Counter();
      instances.push(instance);
      return instance;
    });
    await counter.ask({ add: 7 });
    const before = counter.ask({ add: 1 });
    const restarted = counter.restart();
    const after = counter.ask({ add: 2 });
    expect(await before).toBe(8);
    await restarted;
    expect(await after).toBe(2);
    expect(instances).toHaveLength(2);
    expect(instances[1].started).toBe(1);

    const running = counter.ask({ slow: 20 });
    await expect.poll(() => counter.queued, { interval: 1 }).toBe(0); // `running` has started
    const queued = counter.ask({ add: 1 }).catch((e: unknown) => e);
    const stopped = counter.stop();
    expect(await running).toBe(2);
    expect(await queued).toMatchObject({ name: 'ActorError', code: 'ACTOR_STOPPED' });
    await stopped;
  });
});

/** The Match actor from docs/framework.md. */
class Match extends Actor<{ join: number } | 'count', number> {
  private players = new Set<number>();
  ticks = 0;
  override onStart() {
    this.every(5, () => this.tick());
  }
  receive(msg: { join: number } | 'count'): number {
    if (msg !== 'count') this.players.add(msg.join);
    return this.players.size;
  }
  private tick() {
    this.ticks++;
  }
}

describe('the documented Match actor', () => {
  it('counts players, ticks through its mailbox, restarts fresh', async () => {
    const system = new ActorSystem(pino({ level: 'silent' }));
    const instances: Match[] = [];
    const match = system.spawn('match-1', () => {
      const m = new Match();
      instances.push(m);
      return m;
    });
    expect(match.tell({ join: 7 })).toBe(true);
    match.tell({ join: 8 });
    expect(await match.ask('count')).toBe(2);
    await expect.poll(() => instances[0].ticks, { interval: 5 }).toBeGreaterThan(1);
    await match.restart();
    expect(await match.ask('count')).toBe(0);
    const ticksAtRestart = instances[0].ticks;
    await expect.poll(() => instances[1].ticks, { interval: 5 }).toBeGreaterThan(1);
    expect(instances[0].ticks).toBe(ticksAtRestart); // the old instance's timer was cancelled
    await match.stop();
  });
});

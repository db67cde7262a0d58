import { GameClient } from '../../framework';
import { GridState, JoinGridReq, MoveCmd, type JoinGridRes } from './generated/packets';

export interface GridBotOptions {
  host: string;
  port: number;
  bots: number;
  /** How long the bots walk, in ms (ignored with `untilStates`). */
  durationMs: number;
  /** Walk until every bot has received this many GridStates instead of for `durationMs`. */
  untilStates?: number;
  /** Bot names are `${prefix}-N`. */
  prefix: string;
  /** Called with every GridState the first bot receives. */
  onState?: (state: GridState) => void;
}

export interface GridBotReport {
  bots: number;
  rooms: string[];
  /** GridStates received, per bot. */
  states: number[];
  /** The last tick the first bot saw. */
  lastTick: number;
}

const DIRECTIONS = [-1, 0, 1];

/** A direction from a tiny deterministic generator (bots walk the same way on every run). */
function direction(seed: number): number {
  return DIRECTIONS[(seed * 7919 + 13) % 3];
}

/** Bots join grid rooms, change direction every few ticks, and count the positions broadcast to them. */
export async function runGridBots(options: GridBotOptions): Promise<GridBotReport> {
  const clients: GameClient[] = [];
  const joined: JoinGridRes[] = [];
  const states: number[] = [];
  let lastTick = 0;
  let heardEnough = (): void => undefined;
  const everyBotHeard = new Promise<void>((resolve) => (heardEnough = resolve));
  const enough = (): boolean =>
    states.length === options.bots && states.every((n) => n >= options.untilStates!);
  try {
    for (let i = 0; i < options.bots; i++) {
      const client = await GameClient.connect({ host: options.host, port: options.port });
      clients.push(client);
      states.push(0);
      client.on(GridState, (state) => {
        states[i]++;
        if (options.untilStates !== undefined && enough()) heardEnough();
        if (state.tick % 5 === i % 5)
          client.send(MoveCmd, { dx: direction(state.tick + i), dy: direction(state.tick * 3 + i) });
        if (i === 0) {
          lastTick = state.tick;
          options.onState?.(state);
        }
      });
      joined.push(await client.request(JoinGridReq, { name: `${options.prefix}-${i}` }));
    }
    await (options.untilStates === undefined
      ? new Promise((resolve) => setTimeout(resolve, options.durationMs))
      : everyBotHeard);
    return { bots: clients.length, rooms: [...new Set(joined.map((j) => j.room))], states, lastTick };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

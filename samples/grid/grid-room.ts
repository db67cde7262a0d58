import { GameError, Handler, Room, type Session } from '../../framework';
import { GridState, MoveCmd, type JoinGridRes } from './generated/packets';
import type { Position } from './generated/grid';

export interface GridPlayer {
  readonly name: string;
}

export type GridSession = Session<GridPlayer>;

/** Room size and pace (the defaults of `grid:server`). */
export interface GridOptions {
  width: number;
  height: number;
  tickMs: number;
  seats: number;
}

export const GRID_DEFAULTS: Readonly<GridOptions> = Object.freeze({
  width: 20,
  height: 10,
  tickMs: 100,
  seats: 8,
});

interface Walker {
  readonly name: string;
  x: number;
  y: number;
  dx: number;
  dy: number;
}

/** Keeps `value` in 0..size-1. */
function clamp(value: number, size: number): number {
  return Math.max(0, Math.min(size - 1, value));
}

/**
 * A grid game room: members walk in the direction they last sent (MoveCmd), one cell per tick; every tick
 * the room broadcasts all positions (GridState). Runs as an actor: the tick and the MoveCmds of all members
 * are handled one at a time, so the walkers are never changed by two sessions at once.
 */
export class GridRoom extends Room<
  { tick: number; walkers: Map<number, Walker> },
  GridPlayer,
  Partial<GridOptions>
> {
  private options: GridOptions = { ...GRID_DEFAULTS };

  override onCreate(options: Partial<GridOptions> = {}): void {
    this.options = { ...GRID_DEFAULTS, ...options };
    this.maxClients = this.options.seats;
    this.state = { tick: 0, walkers: new Map() };
    this.setSimulationInterval(() => this.step(), this.options.tickMs);
  }

  override onJoin(session: GridSession): JoinGridRes {
    const { width, height, tickMs } = this.options;
    const n = this.state.walkers.size;
    const walker: Walker = {
      name: session.requireUser().name,
      x: (n * 3) % width,
      y: (n * 5) % height,
      dx: 0,
      dy: 0,
    };
    this.state.walkers.set(session.id, walker);
    return { room: this.id, width, height, tickMs, you: { name: walker.name, x: walker.x, y: walker.y } };
  }

  override onLeave(session: GridSession): void {
    this.state.walkers.delete(session.id);
  }

  /** The member walks this way from the next tick on. */
  @Handler(MoveCmd)
  move(command: MoveCmd, session: GridSession): void {
    const { dx, dy } = command;
    if (![-1, 0, 1].includes(dx) || ![-1, 0, 1].includes(dy))
      throw new GameError('BAD_MOVE', 'dx and dy are each -1, 0 or 1');
    const walker = this.state.walkers.get(session.id);
    if (walker === undefined) return;
    walker.dx = dx;
    walker.dy = dy;
  }

  /** One tick: everybody walks one cell (stopping at the edges), then every member hears where all are. */
  private step(): void {
    const { width, height } = this.options;
    const players: Position[] = [];
    for (const walker of this.state.walkers.values()) {
      walker.x = clamp(walker.x + walker.dx, width);
      walker.y = clamp(walker.y + walker.dy, height);
      players.push({ name: walker.name, x: walker.x, y: walker.y });
    }
    this.state.tick++;
    this.broadcast(GridState, { tick: this.state.tick, players });
  }
}

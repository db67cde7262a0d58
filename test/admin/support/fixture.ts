import { Writable } from 'node:stream';
import { GameClient } from '../../../framework/client/game-client';
import { Controller, Handler } from '../../../framework/handlers/decorators';
import { Matchmaker } from '../../../framework/rooms/matchmaker';
import { Room } from '../../../framework/rooms/room';
import { GameServer } from '../../../framework/server/game-server';
import type { GameServerOptions } from '../../../framework/server/options';
import type { Session } from '../../../framework/server/session';
import type { EngineName } from '../../../framework/transport/transport';
import { inject, injectable } from 'inversify';
import * as messages from '../../../samples/echo/generated/packets';
import { EchoReq, type EchoRes } from '../../../samples/echo/generated/packets';

/** A gate the `wait` command blocks on until the test opens it. */
@injectable()
export class Gate {
  private waiting: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  get waiters(): number {
    return this.waiting.length;
  }
  open(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

/** A room with nothing in it but its members. */
export class PlainRoom extends Room {}

/** EchoReq is echoed; `room:NAME` joins that room first, `wait` answers when the test opens the Gate. */
@Controller()
export class AdminTestController {
  constructor(
    @inject(Matchmaker) private readonly rooms: Matchmaker,
    @inject(Gate) private readonly gate: Gate,
  ) {}

  @Handler(EchoReq, { public: true })
  async echo(request: EchoReq, session: Session<unknown>): Promise<EchoRes> {
    const text = Buffer.from(request.data).toString();
    if (text.startsWith('room:')) await this.rooms.joinOrCreate(PlainRoom, session, { id: text.slice(5) });
    if (text === 'wait') await this.gate.wait();
    return { data: request.data };
  }
}

/** Log lines the server wrote (JSON, one object each). */
export class LogLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString().split('\n'))
      if (line.trim() !== '') this.lines.push(JSON.parse(line));
    done();
  }
  withMessage(pattern: RegExp): Record<string, unknown>[] {
    return this.lines.filter((line) => pattern.test(String(line.msg)));
  }
}

export interface AdminFixture {
  server: GameServer;
  port: number;
  admin: string;
  gate: Gate;
  log: LogLines;
  clients: GameClient[];
  connect(): Promise<GameClient>;
  get(path: string, token?: string): Promise<Response>;
  post(path: string, body: unknown, token?: string): Promise<Response>;
  close(): Promise<void>;
}

/** A GameServer on a free port with the admin listener on a free loopback port. */
export async function startAdminServer(
  engine: EngineName,
  options: Partial<GameServerOptions> = {},
): Promise<AdminFixture> {
  const log = new LogLines();
  const server = new GameServer({
    port: 0,
    host: '127.0.0.1',
    engine,
    messages,
    controllers: [AdminTestController],
    admin: { port: 0 },
    rooms: { types: { plain: PlainRoom } },
    logger: { level: 'info', destination: log },
    ...options,
  });
  server.container.bind(Gate).toSelf().inSingletonScope();
  const { port } = await server.start();
  const gate = server.container.get(Gate);
  const admin = server.admin?.url as string;
  const clients: GameClient[] = [];
  const headers = (token?: string): Record<string, string> =>
    token === undefined ? {} : { authorization: `Bearer ${token}` };
  return {
    server,
    port,
    admin,
    gate,
    log,
    clients,
    async connect() {
      const client = await GameClient.connect({ host: '127.0.0.1', port });
      clients.push(client);
      return client;
    },
    get: (path, token) => fetch(`${admin}${path}`, { headers: headers(token) }),
    post: (path, body, token) =>
      fetch(`${admin}${path}`, {
        method: 'POST',
        headers: { ...headers(token), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    async close() {
      gate.open();
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      await server.stop();
    },
  };
}

/** The value of one sample line of a Prometheus exposition (`name{labels} value`), undefined if absent. */
export function sampleValue(exposition: string, series: string): number | undefined {
  for (const line of exposition.split('\n'))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return undefined;
}

/** A JSON body in a test: its shape is what the test's expect() checks, not a type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function json(response: Response | Promise<Response>): Promise<Json> {
  return (await response).json();
}

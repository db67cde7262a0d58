/**
 * The attacking side of a fault case: raw sockets (test/transport's RawClient, independent of the code under
 * test) and GameClients, all torn down after the case.
 */
import { GameClient, type GameClientOptions } from '../../../framework/client/game-client';
import {
  Hello,
  HELLO_MAGIC,
  PROTOCOL_VERSION,
  Welcome,
} from '../../../framework/protocol/framework-messages';
import { frame, RawClient } from '../../transport/helpers/raw-client';

export class Peers {
  private readonly raws: RawClient[] = [];
  private readonly clients: GameClient[] = [];

  constructor(private readonly port: number) {}

  async raw(options: { paused?: boolean } = {}): Promise<RawClient> {
    const c = await RawClient.connect(this.port, options);
    c.socket.on('error', () => undefined);
    this.raws.push(c);
    return c;
  }

  /** A raw socket that has completed the handshake (Welcome received unless `paused`). */
  async handshaken(options: { paused?: boolean } = {}): Promise<RawClient> {
    const c = await this.raw(options);
    await c.write(helloFrame());
    if (!options.paused) await c.until(() => c.frames.some((f) => f.msgId === Welcome.id), 'Welcome', 3000);
    return c;
  }

  async client(options: Partial<GameClientOptions> = {}): Promise<GameClient> {
    const c = await GameClient.connect({ port: this.port, ...options });
    this.clients.push(c);
    return c;
  }

  /** Destroys every raw socket and closes every client. */
  async closeAll(): Promise<void> {
    for (const c of this.raws.splice(0)) c.destroy();
    await Promise.all(this.clients.splice(0).map((c) => c.close().catch(() => undefined)));
  }
}

export function helloFrame(protocolVersion = PROTOCOL_VERSION): Buffer {
  return frame(Hello.id, 1, Hello.encode(Hello.create({ magic: HELLO_MAGIC, protocolVersion })));
}

/** A frame header claiming `length` bytes in total, with no payload after it. */
export function header(length: number, msgId = 100, seq = 1): Buffer {
  const out = Buffer.alloc(10);
  out.writeUInt32BE(length >>> 0, 0);
  out.writeUInt16BE(msgId, 4);
  out.writeUInt32BE(seq, 6);
  return out;
}

/** An EchoReq JSON payload padded so the whole frame is exactly `frameBytes` long. */
export function echoPayloadOfFrame(frameBytes: number): Buffer {
  const empty = JSON.stringify({ text: '', delayMs: 0 }).length;
  const text = 'x'.repeat(frameBytes - 10 - empty);
  return Buffer.from(JSON.stringify({ text, delayMs: 0 }));
}

import * as net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1:0 in front of a server, for dropping connections the way a network does:
 * `resetAll()` sends RST on both sides of every proxied connection (nothing in flight arrives), `refuse`
 * makes new connections fail at once, `target` moves it to another server (a restart elsewhere).
 */
export class CuttingProxy {
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  refuse = false;
  connections = 0;

  private constructor(
    private readonly server: net.Server,
    public target: number,
  ) {}

  static async start(target: number): Promise<CuttingProxy> {
    const server = net.createServer();
    const proxy = new CuttingProxy(server, target);
    server.on('connection', (socket) => proxy.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** RST both halves of every open proxied connection. */
  resetAll(): void {
    for (const [client, upstream] of this.pairs) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.refuse) {
      client.resetAndDestroy();
      return;
    }
    this.connections++;
    const upstream = net.connect(this.target, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}

/**
 * Tiny raw echo client for samples/echo/raw-server.ts: sends --count frames of --size payload bytes
 * (--depth in flight) over one connection, checks every echo (msgId, seq, bytes) and prints the rate.
 *
 *   node dist/samples/echo/raw-client.js --port 7100 --count 100000 --size 64 --depth 16
 */
import * as net from 'node:net';
import { parseFlags, runMain, type Flags } from '../common/flags';

const CLIENT_DEFAULTS = { host: '127.0.0.1', port: 7100, count: 100_000, size: 64, depth: 16 };

type ClientOptions = Flags<typeof CLIENT_DEFAULTS>;

function frameOf(seq: number, size: number): Buffer {
  const frame = Buffer.alloc(10 + size, seq & 0xff);
  frame.writeUInt32BE(frame.length, 0);
  frame.writeUInt16BE(100, 4);
  frame.writeUInt32BE(seq, 6);
  return frame;
}

function run(o: ClientOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: o.host, port: o.port, noDelay: true });
    let sent = 0;
    let received = 0;
    let pending: Buffer = Buffer.alloc(0);
    let started = 0;
    const sendMore = (): void => {
      const frames: Buffer[] = [];
      while (sent < o.count && sent - received < o.depth) frames.push(frameOf(sent++, o.size));
      if (frames.length) socket.write(Buffer.concat(frames));
    };
    socket.on('connect', () => {
      started = performance.now();
      sendMore();
    });
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 10 && pending.length >= pending.readUInt32BE(0)) {
        const length = pending.readUInt32BE(0);
        const seq = pending.readUInt32BE(6);
        const ok = seq === received && pending.readUInt16BE(4) === 100 && length === 10 + o.size;
        if (!ok || (o.size > 0 && pending[10] !== (seq & 0xff))) {
          socket.destroy();
          return reject(new Error(`bad echo at #${received}: seq ${seq}, length ${length}`));
        }
        received++;
        pending = pending.subarray(length);
      }
      if (received === o.count) {
        const seconds = (performance.now() - started) / 1000;
        console.log(
          `${received} echoes verified in ${seconds.toFixed(2)} s: ${Math.round(received / seconds)} msgs/s`,
        );
        socket.end();
        resolve();
      } else {
        sendMore();
      }
    });
    socket.on('error', reject);
  });
}

if (require.main === module)
  runMain('raw echo client', () =>
    run(
      parseFlags(process.argv.slice(2), CLIENT_DEFAULTS, 'raw echo client', {
        summary: 'Sends --count frames of --size bytes (--depth in flight) and checks every echo.',
      }),
    ),
  );

/**
 * A 127.0.0.1 listener that never accepts: it lives in a worker thread that blocks right after listen().
 * Once its accept queue is full the kernel drops further SYNs, so a connect there cannot complete
 * (used to test connect_timeout without leaving loopback).
 */
import * as net from 'node:net';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer(() => undefined);
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(new Int32Array(workerData), 0, 0); // blocks this thread's loop: nothing is accepted
});
`;

export interface StalledListener {
  port: number;
  close(): Promise<void>;
}

function connectWithin(port: number, ms: number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

export async function stalledListener(): Promise<StalledListener> {
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: flag });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  // Fill the accept queue until a connect no longer completes.
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 16; i++) {
    const socket = await connectWithin(port, 300);
    if (!socket) break;
    fillers.push(socket);
  }
  return {
    port,
    async close() {
      for (const s of fillers) s.destroy();
      Atomics.store(new Int32Array(flag), 0, 1);
      Atomics.notify(new Int32Array(flag), 0);
      await worker.terminate();
    },
  };
}

/**
 * `node dist/bench/cost/raw-path.js [--frames N] [--size BYTES] [--runs N] [--against DIST]`: main-thread
 * CPU per message of the raw echo's JavaScript side of the native boundary alone: NativeTransport walking
 * an event batch (100 sessions x 4 FRAME records, as the engine writes them), the raw echo handler
 * (samples/echo/raw-server.ts) sending each payload back, the command log, and a submit() that only takes
 * the log. The engine is a stand-in with no sockets and no native code, so the figure varies much less than
 * a socket run on a shared machine (cpu-per-msg.ts gives the whole process's). `--records frames` feeds one
 * FRAMES record of 4 wire frames per session instead (how the epoll engine delivers reads between frames,
 * and what the echo's SEND_SPAN names). `--against DIST` loads
 * another build's dist/ folder (e.g. /work/before/dist) into the same process and alternates short slices
 * of both, so load changes hit both alike.
 */
import * as path from 'node:path';
import {
  EVENT_HEADER_BYTES,
  EventType,
  type NativeBinding,
  type NativeEventCallback,
} from '../../framework/transport/native';
import { NativeTransport } from '../../framework/transport/native-transport';
import { WIRE_HEADER_BYTES } from '../../framework/transport/transport';
import { resolveOptions } from '../../framework/transport/options';
import { median } from '../runner/report';
import { cpuPerTurn, parseHarnessFlags, warmUp } from './alternating';

const SESSIONS = 100;
const PER_SESSION = 4;
const BATCH_FRAMES = SESSIONS * PER_SESSION;
const ECHO_MSG_ID = 100;

/** What one build's dist/ folder provides: the transport and its option resolver. */
interface TransportModules {
  NativeTransport: typeof NativeTransport;
  resolveOptions: typeof resolveOptions;
}

/** A NativeTransport with a raw echo handler, fed by `turn()`: one event batch of BATCH_FRAMES frames. */
export interface FedTransport {
  turn(): void;
  /** Bytes submitted so far (the echoes' command records). */
  readonly submitted: number;
}

/** An event batch like the engine's: FRAME records (header + payload, 4-byte aligned), sessions in turn. */
function frameBatch(size: number, seq: number): { batch: ArrayBuffer; length: number } {
  const record = EVENT_HEADER_BYTES + ((size + 3) & ~3);
  const batch = new ArrayBuffer(record * BATCH_FRAMES);
  const view = new DataView(batch);
  for (let i = 0; i < BATCH_FRAMES; i++) {
    const at = i * record;
    view.setUint8(at, EventType.FRAME);
    view.setUint16(at + 2, ECHO_MSG_ID, true);
    view.setUint32(at + 4, Math.floor(i / PER_SESSION) + 1, true);
    view.setUint32(at + 8, seq + (i % PER_SESSION), true);
    view.setUint32(at + 12, size, true);
    new Uint8Array(batch, at + EVENT_HEADER_BYTES, size).fill(0x5a);
  }
  return { batch, length: batch.byteLength };
}

/** The same frames as FRAMES records, one per session: its PER_SESSION wire frames back to back (big-endian). */
function framesBatch(size: number, seq: number): { batch: ArrayBuffer; length: number } {
  const frameBytes = WIRE_HEADER_BYTES + size;
  const record = EVENT_HEADER_BYTES + ((frameBytes * PER_SESSION + 3) & ~3);
  const batch = new ArrayBuffer(record * SESSIONS);
  const view = new DataView(batch);
  for (let i = 0; i < SESSIONS; i++) {
    const at = i * record;
    view.setUint8(at, EventType.FRAMES);
    view.setUint32(at + 4, i + 1, true);
    view.setUint32(at + 8, PER_SESSION, true);
    view.setUint32(at + 12, frameBytes * PER_SESSION, true);
    for (let f = 0; f < PER_SESSION; f++) {
      const frame = at + EVENT_HEADER_BYTES + f * frameBytes;
      view.setUint32(frame, frameBytes);
      view.setUint16(frame + 4, ECHO_MSG_ID);
      view.setUint32(frame + 6, seq + f);
      new Uint8Array(batch, frame + WIRE_HEADER_BYTES, size).fill(0x5a);
    }
  }
  return { batch, length: batch.byteLength };
}

export function feedRawEcho(size: number, modules: TransportModules, records = 'frame'): FedTransport {
  let onEvents: NativeEventCallback = () => undefined;
  let submitted = 0;
  const binding: NativeBinding = {
    engines: () => ['epoll'],
    probeUring: () => 'not used',
    closeReasons: () => [],
    Engine: class {
      constructor(_options: unknown, callback: NativeEventCallback) {
        onEvents = callback;
      }
      listen = () => ({ id: 1, port: 1 });
      unlisten = () => undefined;
      connect = () => 1;
      submit = (_commands: Uint8Array, length: number) => {
        submitted += length;
      };
      stats = () => ({});
      shutdown = () => undefined;
    },
  };
  const transport = new modules.NativeTransport(
    binding,
    'epoll',
    modules.resolveOptions({ engine: 'epoll' }),
  );
  transport.setHandler({
    onOpen: () => undefined,
    onFrame: (session, msgId, seq, payload) => transport.send(session, msgId, seq, payload),
    onWritable: () => undefined,
    onClose: () => undefined,
  });
  const { batch, length } = records === 'frames' ? framesBatch(size, 1) : frameBatch(size, 1);
  return {
    turn: () => onEvents(batch, length),
    get submitted() {
      return submitted;
    },
  };
}

function modulesOf(dist: string): TransportModules {
  const transport = require(path.join(dist, 'framework/transport/native-transport.js')) as TransportModules;
  const options = require(path.join(dist, 'framework/transport/options.js')) as TransportModules;
  return { NativeTransport: transport.NativeTransport, resolveOptions: options.resolveOptions };
}

function main(): void {
  const flags = parseHarnessFlags(4_000_000);
  const batches = Math.ceil(flags.frames / BATCH_FRAMES);
  const builds = [{ name: 'this build', modules: { NativeTransport, resolveOptions } }];
  if (flags.against !== undefined)
    builds.push({ name: flags.against, modules: modulesOf(path.resolve(flags.against)) });
  const results: number[][] = builds.map(() => []);
  for (let run = 0; run < flags.runs; run++) {
    const fed = builds.map((b) => feedRawEcho(flags.size, b.modules, flags.records));
    const turns = fed.map((f) => f.turn);
    warmUp(turns, batches / 4);
    const perMessage = cpuPerTurn(turns, batches).perTurn.map((us) => us / BATCH_FRAMES);
    perMessage.forEach((us, i) => results[i].push(us));
    fed.forEach((f, i) => {
      if (f.submitted === 0) throw new Error(`${builds[i].name}: nothing was submitted`);
    });
    console.log(
      `run ${run + 1}: ${perMessage.map((us, i) => `${builds[i].name} ${us.toFixed(4)}`).join(', ')} us/msg`,
    );
  }
  builds.forEach((b, i) =>
    console.log(
      `raw boundary JS path, ${flags.size} B, ${flags.records} records, ${b.name}: median ${median(results[i]).toFixed(4)} us/msg`,
    ),
  );
}

if (require.main === module) main();

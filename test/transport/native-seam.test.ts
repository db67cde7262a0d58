/**
 * NativeTransport against a fake binding: the command log and the event walk follow docs/boundary.md
 * byte for byte, one submit per turn, and the close reason table check. Runs without the addon.
 */
import { describe, expect, it } from 'vitest';
import {
  CLOSE_REASONS,
  NativeTransport,
  resolveOptions,
  SEND_PAYLOAD_BYTES_MIN,
  SUBMIT_THRESHOLD_BYTES,
} from '../../framework/transport';
import {
  checkCloseReasons,
  type NativeBinding,
  type NativeEngineOptions,
} from '../../framework/transport/native';
import { frame } from './helpers/raw-client';
import { Recorder } from './helpers/recorder';
import { nextTurn } from './helpers/server';

interface Fake {
  binding: NativeBinding;
  onSubmit?: () => void;
  submits: Buffer[];
  /** The payloads handed over with each submit (copied at the call, as native reads them then). */
  payloads: Buffer[][];
  options: NativeEngineOptions[];
  emit(records: Buffer): void;
}

function fakeBinding(): Fake {
  const fake: Fake = { submits: [], payloads: [], options: [], emit: () => undefined } as unknown as Fake;
  class Engine {
    constructor(options: NativeEngineOptions, onEvents: (batch: ArrayBuffer, length: number) => void) {
      fake.options.push(options);
      fake.emit = (records) => {
        const batch = new ArrayBuffer(records.length + 64); // longer than `length`, like a reused buffer
        new Uint8Array(batch).set(records);
        onEvents(batch, records.length);
      };
    }
    listen(): { id: number; port: number } {
      return { id: 1, port: 4242 };
    }
    unlisten(): void {}
    connect(): number {
      return 77;
    }
    submit(commands: Uint8Array, length: number, payloads?: readonly Uint8Array[]): void {
      fake.submits.push(Buffer.from(commands.subarray(0, length)));
      fake.payloads.push((payloads ?? []).map((p) => Buffer.from(p)));
      fake.onSubmit?.();
    }
    stats(): Record<string, number> {
      return { sessions: 0 };
    }
    shutdown(): void {}
  }
  fake.binding = {
    engines: () => ['epoll'],
    probeUring: () => 'not built',
    closeReasons: () => [...CLOSE_REASONS],
    Engine,
  };
  return fake;
}

/** One event record per docs/boundary.md, padded to 4 bytes. */
function event(
  type: number,
  session: number,
  opts: { reason?: number; msgId?: number; aux?: number; payload?: Buffer },
) {
  const payload = opts.payload ?? Buffer.alloc(0);
  const out = Buffer.alloc((16 + payload.length + 3) & ~3);
  out.writeUInt8(type, 0);
  out.writeUInt8(opts.reason ?? 0, 1);
  out.writeUInt16LE(opts.msgId ?? 0, 2);
  out.writeUInt32LE(session, 4);
  out.writeUInt32LE(opts.aux ?? 0, 8);
  out.writeUInt32LE(payload.length, 12);
  payload.copy(out, 16);
  return out;
}

/** A FRAMES record: whole wire frames of one session back to back, as a read brought them. */
function framesEvent(session: number, frames: Buffer[]): Buffer {
  return event(7, session, { aux: frames.length, payload: Buffer.concat(frames) });
}

/** The records of a command log: [op, session, body] each. */
function commandRecords(log: Buffer): [number, number, Buffer][] {
  const out: [number, number, Buffer][] = [];
  for (let at = 0; at < log.length;) {
    const length = log.readUInt32LE(at + 8);
    out.push([log[at], log.readUInt32LE(at + 4), log.subarray(at + 12, at + 12 + length)]);
    at += (12 + length + 3) & ~3;
  }
  return out;
}

/** A SEND_SPAN body as [payload index, offset, length]. */
function span(body: Buffer): number[] {
  return [body.readUInt32LE(0), body.readUInt32LE(4), body.readUInt32LE(8)];
}

function make(
  ioThreads = 2,
  maxFrameBytes = 4096,
): { fake: Fake; transport: NativeTransport; rec: Recorder } {
  const fake = fakeBinding();
  const transport = new NativeTransport(fake.binding, 'epoll', resolveOptions({ maxFrameBytes, ioThreads }));
  const rec = new Recorder();
  transport.setHandler(rec);
  return { fake, transport, rec };
}

describe('NativeTransport seam (fake binding)', () => {
  it('passes validated options to the engine', () => {
    const { fake } = make();
    expect(fake.options[0]).toMatchObject({
      engine: 'epoll',
      ioThreads: 2,
      maxFrameBytes: 4096,
      sendSoftLimit: 1048576,
    });
  });

  it('walks an event batch: open, frames as views, blocked/writable, close; then onBatchEnd', () => {
    const { fake, rec } = make();
    const seen: Uint8Array[] = [];
    rec.onFrameHook = (_s, _m, _q, payload) => seen.push(payload);
    fake.emit(
      Buffer.concat([
        event(1, 5, { aux: 1, payload: Buffer.from('127.0.0.1:5000') }),
        event(2, 5, { msgId: 300, aux: 9, payload: Buffer.from([1, 2, 3]) }),
        event(2, 5, { msgId: 301, aux: 10 }),
        event(4, 5, {}),
        event(3, 5, {}),
        event(5, 5, { reason: CLOSE_REASONS.indexOf('frame_too_large'), aux: 0 }),
      ]),
    );
    expect(rec.opens.get(5)).toEqual({ remote: '127.0.0.1:5000', listener: 1 });
    expect(rec.frames.map((f) => [f.msgId, f.seq, [...f.payload]])).toEqual([
      [300, 9, [1, 2, 3]],
      [301, 10, []],
    ]);
    expect(seen[0].byteOffset).toBeGreaterThan(0); // a view into the batch, not a copy
    expect(rec.writable).toEqual([
      { session: 5, writable: false },
      { session: 5, writable: true },
    ]);
    expect(rec.closes.get(5)).toEqual({ reason: 'frame_too_large', errno: 0 });
    expect(rec.batches).toBe(1);
    expect(rec.violations).toEqual([]);
  });

  it('stops at a record that runs past the batch end, without throwing into the addon', () => {
    const { fake, rec } = make();
    const bad = event(2, 5, { msgId: 1, payload: Buffer.alloc(8) }).subarray(0, 20); // claims 8 payload bytes, has 4
    const quiet = console.error;
    const errors: string[] = [];
    console.error = (m: string) => errors.push(m);
    try {
      fake.emit(Buffer.concat([event(1, 5, { payload: Buffer.from('1.2.3.4:5') }), bad]));
    } finally {
      console.error = quiet;
    }
    expect(rec.opens.has(5)).toBe(true);
    expect(rec.frames).toEqual([]);
    expect(errors.join('')).toMatch(/past the batch end/);
    expect(rec.batches).toBe(1);
  });

  it('submits one command log per turn in the documented layout', async () => {
    const { fake, transport } = make();
    transport.send(7, 100, 1, Buffer.from([0xaa]));
    transport.send(7, 101, 2, Buffer.alloc(0)); // same session: joins the previous SEND record
    transport.broadcast([7, 8], 102, 0, Buffer.from([1, 2]));
    transport.pauseReading(8);
    transport.close(7, 'kicked');
    expect(fake.submits).toHaveLength(0);
    await nextTurn();
    expect(fake.submits).toHaveLength(1);
    const log = fake.submits[0];
    // SEND: op 1, session 7, two wire frames (11 + 10 bytes), padded to 4.
    expect([log[0], log[1], log.readUInt16LE(2), log.readUInt32LE(4), log.readUInt32LE(8)]).toEqual([
      1, 0, 0, 7, 21,
    ]);
    expect([log.readUInt32BE(12), log.readUInt16BE(16), log.readUInt32BE(18), log[22]]).toEqual([
      11, 100, 1, 0xaa,
    ]);
    expect([log.readUInt32BE(23), log.readUInt16BE(27), log.readUInt32BE(29)]).toEqual([10, 101, 2]);
    let at = (12 + 21 + 3) & ~3;
    // BROADCAST: op 2, count 2, ids then one frame.
    expect([log[at], log.readUInt32LE(at + 4), log.readUInt32LE(at + 8)]).toEqual([2, 2, 8 + 12]);
    expect([log.readUInt32LE(at + 12), log.readUInt32LE(at + 16), log.readUInt32BE(at + 20)]).toEqual([
      7, 8, 12,
    ]);
    at = (at + 12 + 20 + 3) & ~3;
    expect([log[at], log.readUInt32LE(at + 4), log.readUInt32LE(at + 8)]).toEqual([5, 8, 0]);
    at += 12;
    expect([log[at], log[at + 1], log.readUInt32LE(at + 4)]).toEqual([3, CLOSE_REASONS.indexOf('kicked'), 7]);
    expect(log.length).toBe(at + 12);
  });

  it('hands a big payload over beside the log at once on an inline engine (SEND_PAYLOAD), copied with I/O threads', () => {
    const { fake, transport } = make(0, 1 << 20);
    const big = Buffer.alloc(SEND_PAYLOAD_BYTES_MIN, 7);
    transport.send(7, 100, 1, Buffer.from([0xaa])); // queued first: submitted with it, in order
    transport.send(9, 101, 2, big);
    expect(fake.submits).toHaveLength(1); // the caller's bytes were read before send() returned
    const log = fake.submits[0];
    const at = (12 + 11 + 3) & ~3;
    // SEND_PAYLOAD: op 8, session 9, 16 bytes: payload index 0, the frame's wire header, 1 payload.
    expect([log[at], log.readUInt32LE(at + 4), log.readUInt32LE(at + 8), log.readUInt32LE(at + 12)]).toEqual([
      8, 9, 16, 0,
    ]);
    expect([log.readUInt32BE(at + 16), log.readUInt16BE(at + 20), log.readUInt32BE(at + 22)]).toEqual([
      10 + big.length,
      101,
      2,
    ]);
    expect(log.readUInt16LE(at + 26)).toBe(1);
    expect(log.length).toBe(at + 28);
    expect(fake.payloads[0]).toEqual([big]);
    transport.send(9, 102, 3, Buffer.alloc(SEND_PAYLOAD_BYTES_MIN - 1)); // below the threshold: in the log
    expect(fake.submits).toHaveLength(1);

    const threaded = make(2, 1 << 20);
    threaded.transport.send(9, 101, 2, big);
    expect(threaded.fake.submits).toHaveLength(0); // with I/O threads the payload is copied into the log
  });

  it('hands the parts of a big sendParts() over uncopied (one SEND_PAYLOAD naming them), joins small ones into the log', () => {
    const { fake, transport } = make(0, 1 << 20);
    const parts = [Buffer.from([1, 2]), Buffer.alloc(SEND_PAYLOAD_BYTES_MIN, 7), Buffer.from([3])];
    transport.sendParts(9, 101, 2, parts);
    expect(fake.submits).toHaveLength(1);
    const log = fake.submits[0];
    expect([log[0], log.readUInt32LE(4), log.readUInt32LE(8), log.readUInt32LE(12)]).toEqual([8, 9, 16, 0]);
    expect(log.readUInt32BE(16)).toBe(10 + 3 + SEND_PAYLOAD_BYTES_MIN); // the frame counts every part
    expect(log.readUInt16LE(26)).toBe(3);
    expect(fake.payloads[0]).toEqual(parts);

    transport.sendParts(9, 102, 3, [Buffer.from([1, 2]), Buffer.from([3])]); // small: copied into the log
    expect(fake.submits).toHaveLength(1);
    transport.flush();
    const small = fake.submits[1];
    expect([small[0], small.readUInt32LE(8)]).toEqual([1, 13]); // SEND of one 13-byte frame
    expect([...small.subarray(22, 25)]).toEqual([1, 2, 3]);
    expect(fake.payloads[1]).toEqual([]);
    expect(() => transport.sendParts(9, 102, 3, [Buffer.alloc(1 << 20)])).toThrow(/exceeds maxFrameBytes/);
  });

  it('echoes frames of a FRAMES record by naming them in the batch (SEND_SPAN), one record per run of them', () => {
    const { fake, transport, rec } = make(0);
    const a = [frame(100, 1, Buffer.from('ab')), frame(100, 2, Buffer.from('cde'))];
    const b = [frame(101, 7, Buffer.from('xyz'))];
    rec.onFrameHook = (session, msgId, seq, payload) => {
      transport.send(session, msgId, seq, payload); // the echo: named in the batch
      if (seq === 7) transport.send(session, msgId, seq + 1, payload); // another seq: copied
    };
    fake.emit(Buffer.concat([framesEvent(5, a), framesEvent(6, b)]));
    expect(fake.submits).toHaveLength(1);
    const records = commandRecords(fake.submits[0]);
    expect(records.map(([op, session]) => [op, session])).toEqual([
      [9, 5],
      [9, 6],
      [1, 6],
    ]);
    // One payload beside the log, the batch: both of session 5's frames in one span, from its first header.
    const batch = fake.payloads[0][0];
    expect(fake.payloads[0]).toHaveLength(1);
    expect(span(records[0][2])).toEqual([0, 16, a[0].length + a[1].length]);
    expect(batch.subarray(16, 16 + a[0].length + a[1].length)).toEqual(Buffer.concat(a));
    const [, at6, length6] = span(records[1][2]);
    expect(batch.subarray(at6, at6 + length6)).toEqual(b[0]);
    expect(records[2][2]).toEqual(frame(101, 8, Buffer.from('xyz')));
  });

  it('copies what is not the delivered frame echoed at once: other msgId, a kept payload, I/O threads, a walk inside submit()', async () => {
    const { fake, transport, rec } = make(0);
    let kept: Uint8Array | undefined;
    rec.onFrameHook = (session, msgId, seq, payload) => {
      transport.send(session, msgId + 1, seq, payload);
      kept = payload;
    };
    fake.emit(framesEvent(5, [frame(100, 1, Buffer.from('ab'))]));
    transport.send(5, 100, 1, kept!); // after the walk: the batch may be gone
    await nextTurn();
    expect(fake.submits.flatMap((log) => commandRecords(log).map(([op]) => op))).toEqual([1, 1]);

    const threaded = make(2);
    threaded.rec.onFrameHook = (session, msgId, seq, payload) =>
      threaded.transport.send(session, msgId, seq, payload);
    threaded.fake.emit(framesEvent(5, [frame(100, 1, Buffer.from('ab'))]));
    expect(commandRecords(threaded.fake.submits[0]).map(([op]) => op)).toEqual([1]);

    const nested = make(0);
    nested.rec.onFrameHook = (session, msgId, seq, payload) =>
      nested.transport.send(session, msgId, seq, payload);
    nested.fake.onSubmit = () => {
      nested.fake.onSubmit = undefined;
      nested.fake.emit(framesEvent(4, [frame(100, 3, Buffer.from('q'))])); // submitted on a later turn
    };
    nested.transport.send(3, 100, 0, Buffer.alloc(0));
    nested.transport.flush();
    await nextTurn();
    const nestedOps = nested.fake.submits.map((log) =>
      commandRecords(log).map(([op, session]) => [op, session]),
    );
    expect(nestedOps).toEqual([[[1, 3]], [[1, 4]]]);
  });

  it('submits early past the size threshold and after each event batch', () => {
    const { fake, transport } = make();
    const payload = Buffer.alloc(4000);
    const perRecord = 12 + 4010 + 2;
    for (let i = 0; i * perRecord <= SUBMIT_THRESHOLD_BYTES; i++)
      transport.send(1 + (i % 2), 100, i, payload);
    expect(fake.submits).toHaveLength(1);
    transport.send(3, 100, 0, payload);
    fake.emit(event(2, 9, { msgId: 1 }));
    expect(fake.submits).toHaveLength(2);
  });

  it('never re-submits or nests when events arrive from inside submit()', async () => {
    const { fake, transport, rec } = make();
    rec.onFrameHook = (session) => transport.send(session, 200, 0, Buffer.alloc(0));
    fake.onSubmit = () => {
      fake.onSubmit = undefined;
      fake.emit(event(2, 4, { msgId: 1 })); // an inline engine may deliver events during submit
    };
    transport.send(3, 100, 0, Buffer.alloc(0));
    await nextTurn();
    expect(fake.submits.map((log) => log.readUInt32LE(4))).toEqual([3]);
    await nextTurn();
    expect(fake.submits.map((log) => log.readUInt32LE(4))).toEqual([3, 4]);
  });

  it('rejects bad arguments before queueing anything', () => {
    const { fake, transport } = make();
    expect(() => transport.send(0, 100, 0, Buffer.alloc(0))).toThrow(/session must be an integer/);
    expect(() => transport.send(1, 70000, 0, Buffer.alloc(0))).toThrow(
      /msgId must be an integer between 0 and 65535/,
    );
    expect(() => transport.send(1, 100, -1, Buffer.alloc(0))).toThrow(/seq must be an integer/);
    expect(() => transport.send(1, 100, 0, Buffer.alloc(4087))).toThrow(/exceeds maxFrameBytes 4096/);
    expect(() => transport.close(1, 'nonsense' as never)).toThrow(/unknown close reason/);
    expect(fake.submits).toHaveLength(0);
  });

  it('refuses an addon whose close reasons differ', () => {
    expect(() => checkCloseReasons({ closeReasons: () => ['none', 'peer_closed'] })).toThrow(
      /close reasons differ.*npm run build:native/,
    );
    expect(() => checkCloseReasons({ closeReasons: () => [...CLOSE_REASONS] })).not.toThrow();
  });
});

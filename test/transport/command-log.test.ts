/**
 * The command log's record layout (docs/boundary.md "Commands"), read back from its bytes: consecutive
 * SENDs to one session share one record whose length covers all their frames, any other record ends the
 * sharing, and a control record carries its op and reason in the header.
 */
import { describe, expect, it } from 'vitest';
import { CommandLog } from '../../framework/transport/command-log';
import { COMMAND_HEADER_BYTES, CommandOp } from '../../framework/transport/native';
import { WIRE_HEADER_BYTES } from '../../framework/transport/transport';
import { fillEncoder } from './helpers/fill-encoder';

interface Record {
  op: number;
  reason: number;
  session: number;
  body: Uint8Array;
}

/** The log's records, walked as native's command reader walks them. */
function recordsOf(log: CommandLog): Record[] {
  const bytes = log.buffer.subarray(0, log.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: Record[] = [];
  for (let at = 0; at < bytes.length;) {
    const length = view.getUint32(at + 8, true);
    expect(view.getUint16(at + 2, true)).toBe(0); // reserved
    out.push({
      op: view.getUint8(at),
      reason: view.getUint8(at + 1),
      session: view.getUint32(at + 4, true),
      body: bytes.slice(at + COMMAND_HEADER_BYTES, at + COMMAND_HEADER_BYTES + length),
    });
    at = (at + COMMAND_HEADER_BYTES + length + 3) & ~3;
  }
  return out;
}

/** The wire frames (u32 length, u16 msgId, u32 seq, payload; big-endian) of a SEND record's body. */
function framesOf(body: Uint8Array): { msgId: number; seq: number; payload: number[] }[] {
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  const frames = [];
  for (let at = 0; at < body.length;) {
    const length = view.getUint32(at, false);
    frames.push({
      msgId: view.getUint16(at + 4, false),
      seq: view.getUint32(at + 6, false),
      payload: [...body.subarray(at + WIRE_HEADER_BYTES, at + length)],
    });
    at += length;
  }
  return frames;
}

describe('command log', () => {
  it('consecutive sends to one session share a record; another session or a control record ends it', () => {
    const log = new CommandLog();
    log.send(7, 100, 1, Uint8Array.of(1, 2, 3));
    log.send(7, 101, 2, Uint8Array.of(4));
    log.send(7, 102, 3, new Uint8Array(0));
    log.send(8, 100, 4, Uint8Array.of(5, 6));
    log.control(CommandOp.CLOSE, 8, 3);
    log.send(8, 100, 5, Uint8Array.of(7));
    const records = recordsOf(log);
    expect(records.map((r) => [r.op, r.reason, r.session])).toEqual([
      [CommandOp.SEND, 0, 7],
      [CommandOp.SEND, 0, 8],
      [CommandOp.CLOSE, 3, 8],
      [CommandOp.SEND, 0, 8],
    ]);
    expect(framesOf(records[0].body)).toEqual([
      { msgId: 100, seq: 1, payload: [1, 2, 3] },
      { msgId: 101, seq: 2, payload: [4] },
      { msgId: 102, seq: 3, payload: [] },
    ]);
    expect(framesOf(records[1].body)).toEqual([{ msgId: 100, seq: 4, payload: [5, 6] }]);
    expect(records[2].body.length).toBe(0);
    expect(framesOf(records[3].body)).toEqual([{ msgId: 100, seq: 5, payload: [7] }]);
  });

  it('starts a fresh record after clear()', () => {
    const log = new CommandLog();
    log.send(7, 100, 1, Uint8Array.of(1));
    log.clear();
    log.send(7, 100, 2, Uint8Array.of(2));
    const records = recordsOf(log);
    expect(records).toHaveLength(1);
    expect(framesOf(records[0].body)).toEqual([{ msgId: 100, seq: 2, payload: [2] }]);
  });

  it('sendEncoded() writes the payload in place: sharing records like send(), across a growth of the log', () => {
    const log = new CommandLog();
    const max = 4 * 1024 * 1024;
    log.send(7, 100, 1, Uint8Array.of(1));
    expect(log.sendEncoded(7, 101, 2, fillEncoder, { length: 3, value: 9 }, max)).toBeUndefined();
    const big = 3 * log.capacity; // the encoder outgrows the log's buffer
    expect(log.sendEncoded(8, 102, 3, fillEncoder, { length: big, value: 5 }, max)).toBeUndefined();
    log.send(8, 103, 4, Uint8Array.of(2, 2));
    const records = recordsOf(log);
    expect(records.map((r) => [r.op, r.session])).toEqual([
      [CommandOp.SEND, 7],
      [CommandOp.SEND, 8],
    ]);
    expect(framesOf(records[0].body)).toEqual([
      { msgId: 100, seq: 1, payload: [1] },
      { msgId: 101, seq: 2, payload: [9, 9, 9] },
    ]);
    const second = framesOf(records[1].body);
    expect(second.map((f) => [f.msgId, f.seq, f.payload.length])).toEqual([
      [102, 3, big],
      [103, 4, 2],
    ]);
    expect(second[0].payload.every((b) => b === 5)).toBe(true);
  });

  it('sendEncoded() queues nothing when the encoder hands back parts, throws, or the frame is too big', () => {
    const log = new CommandLog();
    log.send(7, 100, 1, Uint8Array.of(1));
    const length = log.length;
    const parts = log.sendEncoded(7, 101, 2, fillEncoder, { length: 5, value: 4, asParts: true }, 1024);
    expect(parts?.map((p) => [...p])).toEqual([
      [4, 4],
      [4, 4, 4],
    ]);
    expect(() =>
      log.sendEncoded(7, 101, 3, fillEncoder, { length: 5, value: 4, throws: true }, 1024),
    ).toThrow('the encoder failed');
    expect(() => log.sendEncoded(7, 101, 4, fillEncoder, { length: 1015, value: 4 }, 1024)).toThrow(
      /exceeds maxFrameBytes 1024/,
    );
    expect(log.length).toBe(length);
    log.send(7, 102, 5, Uint8Array.of(6)); // appends right after the first frame
    expect(framesOf(recordsOf(log)[0].body)).toEqual([
      { msgId: 100, seq: 1, payload: [1] },
      { msgId: 102, seq: 5, payload: [6] },
    ]);
  });
});

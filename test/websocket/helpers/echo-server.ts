/** A transport that echoes every frame back to its session, with the events it saw (for WebSocket tests). */
import type { Transport, TransportOptions } from '../../../framework/transport';
import type { Implementation } from '../../transport/helpers/implementations';
import { Recorder } from '../../transport/helpers/recorder';

export interface EchoServer {
  transport: Transport;
  rec: Recorder;
  port: number;
}

export async function startEchoServer(
  impl: Implementation,
  options: TransportOptions = {},
): Promise<EchoServer> {
  const transport = impl.create(options);
  const rec = new Recorder();
  transport.setHandler({
    onOpen: (id, remote, listener) => rec.onOpen(id, remote, listener),
    onFrame: (id, msgId, seq, payload) => {
      rec.onFrame(id, msgId, seq, payload);
      transport.send(id, msgId, seq, payload);
    },
    onWritable: (id, writable) => rec.onWritable(id, writable),
    onClose: (id, reason, errno) => rec.onClose(id, reason, errno),
  });
  const { port } = await transport.listen('127.0.0.1', 0);
  return { transport, rec, port };
}

/** One FastPort frame (u32 length with the header | u16 msgId | u32 seq | payload): the raw client's. */
export { frame as fastportFrame } from '../../transport/helpers/raw-client';

/** Splits a buffer of whole FastPort frames. */
export function splitFrames(data: Buffer): { msgId: number; seq: number; payload: Buffer }[] {
  const frames = [];
  for (let at = 0; at + 10 <= data.length;) {
    const length = data.readUInt32BE(at);
    frames.push({
      msgId: data.readUInt16BE(at + 4),
      seq: data.readUInt32BE(at + 6),
      payload: data.subarray(at + 10, at + length),
    });
    at += length;
  }
  return frames;
}

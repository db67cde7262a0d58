/**
 * Baseline: what a user would hand-write instead of FastPort on node:net — decode EchoReq with protobufjs,
 * call a handler, encode EchoRes with the request's seq, one socket.write per 'data' chunk.
 */
import { ECHO_REQ_ID, ECHO_RES_ID, Echo, EchoReq, EchoRes } from './echo-messages';
import { FrameSplitter, HEADER_BYTES } from './frame-splitter';
import { serve } from './listen';

function onEcho(request: Echo): Echo {
  return { payload: request.payload };
}

function encodeFrame(msgId: number, seq: number, body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32BE(frame.length, 0);
  frame.writeUInt16BE(msgId, 4);
  frame.writeUInt32BE(seq, 6);
  frame.set(body, HEADER_BYTES);
  return frame;
}

serve('node-fullpath', (socket) => {
  const splitter = new FrameSplitter();
  const replies: Buffer[] = [];
  const onFrame = (frame: Buffer): void => {
    if (frame.readUInt16BE(4) !== ECHO_REQ_ID) return; // handshake and other ids: nothing to answer
    const request = EchoReq.decode(frame.subarray(HEADER_BYTES)) as unknown as Echo;
    const body = EchoRes.encode(EchoRes.create(onEcho(request))).finish();
    replies.push(encodeFrame(ECHO_RES_ID, frame.readUInt32BE(6), body));
  };
  socket.on('data', (chunk: Buffer) => {
    try {
      splitter.push(chunk, onFrame);
    } catch {
      socket.destroy(); // bad frame length or payload
      return;
    }
    if (replies.length === 0) return;
    socket.write(replies.length === 1 ? replies[0] : Buffer.concat(replies));
    replies.length = 0;
  });
});

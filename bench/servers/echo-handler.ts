/**
 * The hand-written full path both baselines share (node-fullpath on node:net, ws-fullpath on `ws`): decode
 * EchoReq with protobufjs, call the handler, encode EchoRes as a frame with the request's seq.
 */
import { ECHO_REQ_ID, ECHO_RES_ID, Echo, EchoReq, EchoRes } from './echo-messages';
import { encodeFrame } from '../../framework/transport/wire';
import { FrameSplitter, HEADER_BYTES } from './frame-splitter';

function onEcho(request: Echo): Echo {
  return { payload: request.payload };
}

/** The EchoRes frame answering an EchoReq frame; undefined for other ids (the Hello: nothing to answer). */
export function answerEcho(frame: Buffer): Buffer | undefined {
  if (frame.readUInt16BE(4) !== ECHO_REQ_ID) return undefined;
  const request = EchoReq.decode(frame.subarray(HEADER_BYTES)) as unknown as Echo;
  const body = EchoRes.encode(EchoRes.create(onEcho(request))).finish();
  return encodeFrame(ECHO_RES_ID, frame.readUInt32BE(6), body);
}

/**
 * A connection's input handler: splits chunks (TCP data or WebSocket messages) into frames and hands the
 * answers to one chunk to `send` together (one write per chunk); a bad frame calls `fail` instead.
 */
export function echoConnection(send: (replies: Buffer) => void, fail: () => void): (chunk: Buffer) => void {
  const splitter = new FrameSplitter();
  const replies: Buffer[] = [];
  const onFrame = (frame: Buffer): void => {
    const reply = answerEcho(frame);
    if (reply !== undefined) replies.push(reply);
  };
  return (chunk) => {
    try {
      splitter.push(chunk, onFrame);
    } catch {
      replies.length = 0;
      fail(); // bad frame length or payload
      return;
    }
    if (replies.length === 0) return;
    send(replies.length === 1 ? replies[0] : Buffer.concat(replies));
    replies.length = 0;
  };
}

/**
 * The hand-written full path both baselines share (node-fullpath on node:net, ws-fullpath on `ws`): decode
 * EchoReq with protobufjs, call the handler, encode EchoRes as a frame with the request's seq.
 */
import { ECHO_REQ_ID, ECHO_RES_ID, Echo, EchoReq, EchoRes } from './echo-messages';
import { HEADER_BYTES, encodeFrame } from './frame-splitter';

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

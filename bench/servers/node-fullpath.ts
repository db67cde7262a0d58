/**
 * Baseline: what a user would hand-write instead of FastPort on node:net — decode EchoReq with protobufjs,
 * call a handler, encode EchoRes with the request's seq, one socket.write per 'data' chunk.
 */
import { answerEcho } from './echo-handler';
import { FrameSplitter } from './frame-splitter';
import { serve } from './listen';

serve('node-fullpath', (socket) => {
  const splitter = new FrameSplitter();
  const replies: Buffer[] = [];
  const onFrame = (frame: Buffer): void => {
    const reply = answerEcho(frame);
    if (reply !== undefined) replies.push(reply);
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

/**
 * Baseline: the same hand-written full path as node-fullpath (protobufjs EchoReq -> handler -> EchoRes) on
 * the `ws` package (bufferutil loaded when installed): each binary message carries FastPort frames, the
 * answers to one message go back as one message.
 */
import { answerEcho } from './echo-handler';
import { FrameSplitter } from './frame-splitter';
import { serveWebSocket } from './listen';

serveWebSocket('ws-fullpath', (socket) => {
  const splitter = new FrameSplitter();
  const replies: Buffer[] = [];
  const onFrame = (frame: Buffer): void => {
    const reply = answerEcho(frame);
    if (reply !== undefined) replies.push(reply);
  };
  socket.on('message', (data: Buffer) => {
    try {
      splitter.push(data, onFrame);
    } catch {
      socket.terminate(); // bad frame length or payload
      return;
    }
    if (replies.length === 0) return;
    socket.send(replies.length === 1 ? replies[0] : Buffer.concat(replies));
    replies.length = 0;
  });
});

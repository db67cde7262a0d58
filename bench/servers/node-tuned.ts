/** Baseline: a tuned node:net echo — the frames of one 'data' chunk go back in one socket.write. */
import { FrameSplitter } from './frame-splitter';
import { serve } from './listen';

serve('node-tuned', (socket) => {
  const splitter = new FrameSplitter();
  const replies: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => {
    try {
      splitter.push(chunk, (frame) => replies.push(frame));
    } catch {
      socket.destroy();
      return;
    }
    if (replies.length === 0) return;
    socket.write(replies.length === 1 ? replies[0] : Buffer.concat(replies));
    replies.length = 0;
  });
});

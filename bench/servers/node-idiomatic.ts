/** Baseline: the echo server most people would write with node:net — one socket.write per frame. */
import { FrameSplitter } from './frame-splitter';
import { serve } from './listen';

serve('node-idiomatic', (socket) => {
  const splitter = new FrameSplitter();
  socket.on('data', (chunk: Buffer) => {
    try {
      splitter.push(chunk, (frame) => socket.write(frame));
    } catch {
      socket.destroy();
    }
  });
});

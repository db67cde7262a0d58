/**
 * Baseline: what a user would hand-write instead of FastPort on node:net — decode EchoReq with protobufjs,
 * call a handler, encode EchoRes with the request's seq, one socket.write per 'data' chunk.
 */
import { echoConnection } from './echo-handler';
import { serve } from './listen';

serve('node-fullpath', (socket) => {
  socket.on(
    'data',
    echoConnection(
      (replies) => socket.write(replies),
      () => socket.destroy(),
    ),
  );
});

/**
 * Baseline: the same hand-written full path as node-fullpath (protobufjs EchoReq -> handler -> EchoRes) on
 * the `ws` package (bufferutil loaded when installed): each binary message carries FastPort frames, the
 * answers to one message go back as one message.
 */
import { echoConnection } from './echo-handler';
import { serveWebSocket } from './listen';

serveWebSocket('ws-fullpath', (socket) => {
  socket.on(
    'message',
    echoConnection(
      (replies) => socket.send(replies),
      () => socket.terminate(),
    ),
  );
});

/**
 * Engine parity for a half-closed peer: a client that sends Hello and a request, then shutdown(SHUT_WR)
 * (as simple clients do) gets Welcome and the reply, then the server's FIN, closing peer_closed. Each
 * attempt runs on a fresh server (the failure this guards against depended on timing: on the old uring
 * session code it lost the answer 20 times in 20), on every engine and driver mode.
 */
import { describe, expect, it } from 'vitest';
import { Welcome } from '../../framework/protocol/framework-messages';
import { EchoReq, EchoRes } from '../framework/support/messages';
import { frame, RawClient } from '../transport/helpers/raw-client';
import { faultRows } from './support/engines';
import { startWorld } from './support/fault-server';
import { helloFrame } from './support/peers';

const ATTEMPTS = 20;

describe.each(faultRows().map((row) => [row.name, row] as const))('half-closed peer: %s', (_name, row) => {
  it(`is answered, then closed peer_closed (${ATTEMPTS} fresh servers)`, async () => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const w = await startWorld(row.engine, {}, row.ioThreads);
      try {
        const c = await RawClient.connect(w.port);
        c.socket.on('error', () => undefined);
        const request = frame(EchoReq.id, 7, EchoReq.encode({ text: `attempt ${attempt}`, delayMs: 0 }));
        await c.write(Buffer.concat([helloFrame(), request]));
        c.socket.end();
        await c.until(() => c.ended, `FIN from the server (attempt ${attempt})`);
        expect(
          c.frames.map((f) => f.msgId),
          `attempt ${attempt}`,
        ).toEqual([Welcome.id, EchoRes.id]);
        expect(EchoRes.decode(c.frames[1].payload).text).toBe(`attempt ${attempt}`);
        await w.log.until(() => w.attackers().some((l) => l.reasons.length > 0), 'the session closed');
        expect(w.attackers()[0].reasons).toEqual(['peer_closed']);
        c.destroy();
      } finally {
        await w.stop();
      }
    }
  });
});

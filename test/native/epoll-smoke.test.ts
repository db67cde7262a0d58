/**
 * Smoke test of the addon's epoll engine through the raw binding (docs/boundary.md), inline and with
 * ioThreads: 2: listen, a node:net client sends a frame, the server echoes it, both sides close.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { binding, CLOSE, command, FRAME, Harness, OPEN, readFrame, wireFrame } from './epoll-harness';

describe.each([0, 2])('epoll engine smoke (ioThreads: %i)', (ioThreads) => {
  let harness: Harness | undefined;
  afterEach(() => harness?.engine.shutdown());

  it('reports its engines and close reasons', () => {
    expect(binding.engines()).toContain('epoll');
    expect(binding.closeReasons().slice(0, 3)).toEqual(['none', 'peer_closed', 'reset']);
    expect(typeof binding.probeUring()).toBe('string');
  });

  it('listens, echoes a frame to a node:net client and reports the close once', async () => {
    const h = (harness = new Harness(ioThreads));
    const { id: listener, port } = h.engine.listen('127.0.0.1', 0, 64);
    expect(port).toBeGreaterThan(0);

    const socket = connect(port, '127.0.0.1');
    const reply = readFrame(socket);
    const sent = wireFrame(321, 77, Buffer.from('ping over epoll'));
    socket.write(sent);

    const open = await h.until('OPEN', (e) => e.type === OPEN);
    expect(open.aux).toBe(listener);
    expect(open.payload.toString()).toMatch(/^127\.0\.0\.1:\d+$/);
    const frame = await h.until('FRAME', (e) => e.type === FRAME);
    expect([frame.session, frame.msgId, frame.aux, frame.payload.toString()]).toEqual([
      open.session,
      321,
      77,
      'ping over epoll',
    ]);

    const echo = wireFrame(frame.msgId, frame.aux, frame.payload);
    const log = command(1, open.session, echo);
    h.engine.submit(log, log.length);
    expect((await reply).equals(sent)).toBe(true);

    socket.end();
    const close = await h.until('CLOSE', (e) => e.type === CLOSE);
    expect([close.session, binding.closeReasons()[close.reason]]).toEqual([open.session, 'peer_closed']);
    const stats = h.engine.stats();
    expect(stats).toMatchObject({ accepted: 1, closed: 1, sessions: 0, framesIn: 1, framesOut: 1 });
    expect(stats.bytesOut).toBe(sent.length);
    expect(h.events.filter((e) => e.type === CLOSE)).toHaveLength(1);
    socket.destroy();
  });

  it('connects out, and closes with server_close after the queued frame was sent', async () => {
    const h = (harness = new Harness(ioThreads));
    const { port } = h.engine.listen('127.0.0.1', 0, 64);
    const outbound = h.engine.connect('127.0.0.1', port, 2000);
    const opened = await h.until('outbound OPEN', (e) => e.type === OPEN && e.session === outbound);
    expect(opened.aux).toBe(0);
    const inbound = await h.until('inbound OPEN', (e) => e.type === OPEN && e.aux !== 0);

    const f = wireFrame(500, 1, Buffer.alloc(5000, 7));
    const log = Buffer.concat([command(1, outbound, f), command(3, outbound, Buffer.alloc(0), 6)]);
    h.engine.submit(log, log.length);
    const got = await h.until(
      'frame at the inbound side',
      (e) => e.type === FRAME && e.session === inbound.session,
    );
    expect(got.payload.equals(Buffer.alloc(5000, 7))).toBe(true);
    const closeOut = await h.until('outbound CLOSE', (e) => e.type === CLOSE && e.session === outbound);
    expect(binding.closeReasons()[closeOut.reason]).toBe('server_close');
    await h.until('inbound CLOSE', (e) => e.type === CLOSE && e.session === inbound.session);
  });

  it('reports connect_refused for a refused connect and rejects a malformed command log', async () => {
    const h = (harness = new Harness(ioThreads));
    const { id, port } = h.engine.listen('127.0.0.1', 0, 64);
    h.engine.unlisten(id);
    const session = h.engine.connect('127.0.0.1', port, 2000);
    const close = await h.until('CLOSE', (e) => e.type === CLOSE && e.session === session);
    expect([binding.closeReasons()[close.reason], close.aux]).toEqual(['connect_refused', 111]); // ECONNREFUSED
    const bad = command(1, session, Buffer.from([0, 0, 0, 9, 0, 0, 0, 0, 0, 0]));
    expect(() => h.engine.submit(bad, bad.length)).toThrow(/whole frames/);
    expect(() => h.engine.submit(bad, bad.length + 1)).toThrow(/length/);
  });

  it('shutdown() delivers the last CLOSEs itself and still cleans up when onEvents throws', async () => {
    const h = (harness = new Harness(ioThreads));
    const { port } = h.engine.listen('127.0.0.1', 0, 64);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    const open = await h.until('OPEN', (e) => e.type === OPEN);
    h.onBatch = (events) => {
      if (events.some((e) => e.type === CLOSE)) throw new Error('handler failed on the last batch');
    };
    expect(() => h.engine.shutdown()).toThrow('handler failed on the last batch');
    const close = h.events.find((e) => e.type === CLOSE && e.session === open.session);
    expect(close === undefined ? undefined : binding.closeReasons()[close.reason]).toBe('shutdown');
    expect(() => h.engine.listen('127.0.0.1', 0, 64)).toThrow(/shut down/);
    // The final counters stay readable.
    expect(h.engine.stats()).toMatchObject({ accepted: 1, closed: 1, sessions: 0 });
    expect(() => h.engine.shutdown()).not.toThrow();
    socket.destroy();
  });
});

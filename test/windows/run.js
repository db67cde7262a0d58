'use strict';
// Transport contract subset for the Windows engines, run by Windows node.exe (under Wine here):
//   node.exe test/windows/run.js <addon.node> <engine>...   engines: iocp, rio (FASTPORT_RIO_EMULATE=1 set by
//   this runner: the rio engine's logic on the emulated RIO table), rio-native (rio as configured: under Wine
//   it falls back to iocp). Sized for Wine's slow loopback (~1 ms per round trip).
const net = require('node:net');
const path = require('node:path');
const { test, run, assert, assertEqual } = require('./harness');
const { Recorder } = require('./recorder');
const { defineFaultTests, frameHeader, rawClient } = require('./faults');
const { defineWebSocketTests } = require('./websocket');

const root = path.join(__dirname, '..', '..');
const { NativeTransport } = require(path.join(root, 'dist/framework/transport/native-transport.js'));
const { resolveOptions } = require(path.join(root, 'dist/framework/transport/options.js'));

const addonPath = path.resolve(process.argv[2] || path.join(root, 'build-win', 'fastport.node'));
const engineArgs = process.argv.slice(3).length ? process.argv.slice(3) : ['iocp'];
const binding = require(addonPath);
const HOST = '127.0.0.1';

function transport(engine, options = {}) {
  const name = engine === 'rio-native' ? 'rio' : engine;
  process.env.FASTPORT_RIO_EMULATE = engine === 'rio' ? '1' : '';
  return new NativeTransport(binding, name, resolveOptions({ engine: name, ...options }));
}

// The addon's Engine itself, with the options a NativeTransport would pass (sees every batch JS is handed).
function rawEngine(engine, options, onEvents) {
  const name = engine === 'rio-native' ? 'rio' : engine;
  process.env.FASTPORT_RIO_EMULATE = engine === 'rio' ? '1' : '';
  const o = resolveOptions({ engine: name, ...options });
  const native = {
    engine: name,
    ioThreads: o.ioThreads,
    websocket: o.websocket.enabled,
    reusePort: o.reusePort,
  };
  return new binding.Engine({ ...native, ...o.limits, ...o.uring }, onEvents);
}

function bytes(n, seed) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function echoServer(engine, options = {}) {
  const server = transport(engine, options);
  const rec = new Recorder(server, {
    onFrame: (session, msgId, seq, payload) => server.send(session, msgId, seq, payload),
  });
  const { port } = await server.listen(HOST, 0);
  return { server, rec, port };
}

function defineTests(engine) {
  const t = (name, fn, ms) => test(`${engine}: ${name}`, fn, ms);

  t('echo keeps order and bytes (sizes 0 .. 200 KB), counters add up', async () => {
    const { server, rec: srec, port } = await echoServer(engine, { maxFrameBytes: 256 * 1024 });
    const client = transport(engine, { maxFrameBytes: 256 * 1024 });
    const crec = new Recorder(client);
    const sizes = [0, 1, 7, 100, 1500, 4096, 16384, 65536, 200000];
    for (let i = 0; i < 40; i++) sizes.push((i * 97) % 3000);
    const id = client.connect(HOST, port, 5000);
    await crec.until(() => crec.opens.length === 1, 'client open');
    sizes.forEach((n, i) => client.send(id, 7, i, bytes(n, i)));
    await crec.until(() => crec.frames.length === sizes.length, 'all echoes');
    crec.frames.forEach((f, i) => {
      assertEqual(f.seq, i, 'echo order');
      assertEqual(f.msgId, 7, 'msgId');
      assert(sameBytes(f.payload, bytes(sizes[i], i)), `payload ${i} (${sizes[i]} bytes) intact`);
    });
    const stats = server.stats();
    assertEqual(stats.accepted, 1, 'server accepted');
    assertEqual(stats.framesIn, sizes.length, 'server framesIn');
    const total = sizes.reduce((a, n) => a + n + 10, 0);
    assertEqual(stats.bytesIn, total, 'server bytesIn');
    assertEqual(client.stats().connected, 1, 'client connected');
    assert(srec.opens[0].remote.startsWith('127.0.0.1:'), `remote address ${srec.opens[0].remote}`);
    await client.shutdown();
    await server.shutdown();
  });

  t('16 clients x 20 frames against a server with 2 I/O threads', async () => {
    const { server, rec: srec, port } = await echoServer(engine, { ioThreads: 2 });
    const client = transport(engine, { ioThreads: 2 });
    const crec = new Recorder(client);
    const ids = [];
    for (let i = 0; i < 16; i++) ids.push(client.connect(HOST, port, 5000));
    await crec.until(() => crec.opens.length === 16, 'all open');
    for (const id of ids) for (let k = 0; k < 20; k++) client.send(id, 1, k, bytes(64, id + k));
    await crec.until(() => crec.frames.length === 16 * 20, 'all echoes');
    for (const id of ids) {
      const seqs = crec.framesOf(id).map((f) => f.seq);
      assertEqual(seqs.join(','), [...Array(20).keys()].join(','), `order for session ${id}`);
    }
    // A session id encodes its loop (id % ioThreads): accepted sessions must use both loops.
    const loops = new Set(srec.opens.map((o) => o.session % 2));
    assertEqual(loops.size, 2, 'accepted sessions spread over both I/O loops');
    await client.shutdown();
    await server.shutdown();
  });

  t(
    '48 clients x 30 frames of 0 .. 20 KB, server on 3 I/O threads',
    async () => {
      const { server, rec: srec, port } = await echoServer(engine, { ioThreads: 3 });
      const client = transport(engine, { ioThreads: 2 });
      const crec = new Recorder(client);
      const ids = [];
      for (let i = 0; i < 48; i++) ids.push(client.connect(HOST, port, 5000));
      const size = (id, k) => (id * 7919 + k * 104729) % 20000;
      for (const id of ids) for (let k = 0; k < 30; k++) client.send(id, 2, k, bytes(size(id, k), id + k));
      await crec.until(() => crec.frames.length === 48 * 30, 'all echoes');
      for (const id of ids) {
        const got = crec.framesOf(id);
        got.forEach((f, k) => {
          assertEqual(f.seq, k, `order for session ${id}`);
          assert(sameBytes(f.payload, bytes(size(id, k), id + k)), `payload ${k} of session ${id}`);
        });
      }
      assertEqual(new Set(srec.opens.map((o) => o.session % 3)).size, 3, 'sessions on all three loops');
      await client.shutdown();
      await srec.until(() => srec.closes.length === 48, 'server sees every close');
      assertEqual(server.stats().sessions, 0, 'server sessions after the clients left');
      await server.shutdown();
    },
    60000,
  );

  t('frames sent while connecting go out once connected', async () => {
    const { server, port } = await echoServer(engine);
    const client = transport(engine);
    const crec = new Recorder(client);
    const id = client.connect(HOST, port, 5000);
    for (let i = 0; i < 3; i++) client.send(id, 4, i, bytes(50, i));
    await crec.until(() => crec.framesOf(id).length === 3, 'three echoes');
    assertEqual(
      crec
        .framesOf(id)
        .map((f) => f.seq)
        .join(','),
      '0,1,2',
      'order',
    );
    await client.shutdown();
    await server.shutdown();
  });

  t('broadcast reaches every session', async () => {
    const server = transport(engine);
    const srec = new Recorder(server);
    const { port } = await server.listen(HOST, 0);
    const client = transport(engine);
    const crec = new Recorder(client);
    for (let i = 0; i < 5; i++) client.connect(HOST, port, 5000);
    await srec.until(() => srec.opens.length === 5, 'server sees 5');
    server.broadcast(
      srec.opens.map((o) => o.session),
      9,
      42,
      bytes(300, 3),
    );
    await crec.until(() => crec.frames.length === 5, 'five copies');
    assert(
      crec.frames.every((f) => f.msgId === 9 && f.seq === 42 && sameBytes(f.payload, bytes(300, 3))),
      'copies intact',
    );
    await client.shutdown();
    await server.shutdown();
  });

  t('close() sends what is queued, then the peer sees peer_closed', async () => {
    const server = transport(engine);
    const srec = new Recorder(server, {
      onOpen: (session) => {
        for (let i = 0; i < 30; i++) server.send(session, 2, i, bytes(1000, i));
        server.close(session, 'server_close');
      },
    });
    const { port } = await server.listen(HOST, 0);
    const client = transport(engine);
    const crec = new Recorder(client);
    const id = client.connect(HOST, port, 5000);
    await crec.until(() => crec.closes.length === 1, 'client close');
    assertEqual(crec.framesOf(id).length, 30, 'frames before close');
    assertEqual(crec.closes[0].reason, 'peer_closed', 'client close reason');
    await srec.until(() => srec.closes.length === 1, 'server close');
    assertEqual(srec.closes[0].reason, 'server_close', 'server close reason');
    await client.shutdown();
    await server.shutdown();
  });

  t('listen on a port in use: a clear error, the engine still works', async () => {
    const first = transport(engine);
    const { port } = await first.listen(HOST, 0);
    const second = transport(engine);
    let message = '';
    await second.listen(HOST, port).then(
      () => {},
      (err) => (message = String(err && err.message)),
    );
    assert(/in use|EADDRINUSE|10048/i.test(message), `error names the cause: ${message}`);
    const again = await second.listen(HOST, 0);
    assert(again.port > 0 && again.port !== port, 'a free port still works');
    await second.shutdown();
    await first.shutdown();
  });

  t('connect to a closed port: connect_refused with an error code', async () => {
    const probe = net.createServer();
    await new Promise((r) => probe.listen(0, HOST, r));
    const port = probe.address().port;
    await new Promise((r) => probe.close(r));
    const client = transport(engine);
    const crec = new Recorder(client);
    client.connect(HOST, port, 5000);
    await crec.until(() => crec.closes.length === 1, 'close');
    assertEqual(crec.opens.length, 0, 'no open');
    assertEqual(crec.closes[0].reason, 'connect_refused', 'reason');
    assert(crec.closes[0].errno !== 0, 'error code set');
    await client.shutdown();
  });

  t('frame over maxFrameBytes: frame_too_large; length < 10: frame_invalid', async () => {
    const server = transport(engine, { maxFrameBytes: 1024, sendHardLimit: 1024 * 1024 });
    const srec = new Recorder(server);
    const { port } = await server.listen(HOST, 0);
    const a = await rawClient(port);
    a.on('error', () => {});
    a.write(frameHeader(5000, 1, 1));
    const b = await rawClient(port);
    b.on('error', () => {});
    b.write(frameHeader(5, 1, 1));
    await srec.until(() => srec.closes.length === 2, 'two closes');
    const reasons = srec.closes.map((c) => c.reason).sort();
    assertEqual(reasons.join(','), 'frame_invalid,frame_too_large', 'reasons');
    a.destroy();
    b.destroy();
    await server.shutdown();
  });

  t('partial frame: frame_timeout; peer end: peer_closed', async () => {
    const server = transport(engine, { frameTimeoutMs: 150 });
    const srec = new Recorder(server);
    const { port } = await server.listen(HOST, 0);
    const a = await rawClient(port);
    a.on('error', () => {});
    a.write(frameHeader(100, 1, 1).subarray(0, 6));
    const b = await rawClient(port);
    b.on('error', () => {});
    await srec.until(() => srec.opens.length === 2, 'two opens');
    b.end();
    await srec.until(() => srec.closes.length === 2, 'two closes');
    const reasons = srec.closes.map((c) => c.reason).sort();
    assertEqual(reasons.join(','), 'frame_timeout,peer_closed', 'reasons');
    a.destroy();
    await server.shutdown();
  });

  t('over sendHardLimit: close backpressure', async () => {
    const server = transport(engine, { maxFrameBytes: 32768, sendSoftLimit: 32768, sendHardLimit: 65536 });
    const srec = new Recorder(server, {
      onOpen: (session) => {
        for (let i = 0; i < 10; i++) server.send(session, 1, i, bytes(30000, i));
      },
    });
    const { port } = await server.listen(HOST, 0);
    const a = await rawClient(port);
    a.on('error', () => {});
    a.pause();
    await srec.until(() => srec.closes.length === 1, 'close');
    assertEqual(srec.closes[0].reason, 'backpressure', 'reason');
    a.destroy();
    await server.shutdown();
  });

  t('pauseReading holds frames back until resumeReading', async () => {
    const server = transport(engine);
    // The marker frame is queued after the pause: once the client has it, the engine has applied the pause.
    const srec = new Recorder(server, {
      onOpen: (session) => {
        server.pauseReading(session);
        server.send(session, 99, 0, new Uint8Array(0));
      },
    });
    const { port } = await server.listen(HOST, 0);
    const a = await rawClient(port);
    await new Promise((resolve) => a.once('data', resolve));
    for (let i = 0; i < 5; i++) a.write(Buffer.concat([frameHeader(14, 3, i), Buffer.from([1, 2, 3, 4])]));
    // Absence can only be shown by waiting: 200 ms is ~200 Wine round trips.
    await new Promise((r) => setTimeout(r, 200));
    assertEqual(srec.frames.length, 0, 'no frame while paused');
    server.resumeReading(srec.opens[0].session);
    await srec.until(() => srec.frames.length === 5, 'frames after resume');
    assertEqual(srec.frames.map((f) => f.seq).join(','), '0,1,2,3,4', 'order');
    a.destroy();
    await server.shutdown();
  });

  t('abort with sends in flight frees nothing early; the engine keeps serving', async () => {
    let kick = true;
    const server = transport(engine, { maxFrameBytes: 256 * 1024 });
    const srec = new Recorder(server, {
      onOpen: (session) => {
        if (!kick) return;
        for (let i = 0; i < 8; i++) server.send(session, 1, i, bytes(200000, i));
        server.flush(); // the sends reach the engine before the abort
        server.abort(session, 'kicked');
      },
      onFrame: (session, msgId, seq, payload) => server.send(session, msgId, seq, payload),
    });
    const { port } = await server.listen(HOST, 0);
    const client = transport(engine, { maxFrameBytes: 256 * 1024 });
    const crec = new Recorder(client);
    for (let i = 0; i < 10; i++) client.connect(HOST, port, 5000);
    await srec.until(() => srec.closes.length === 10, 'ten server closes');
    assert(
      srec.closes.every((c) => c.reason === 'kicked'),
      'all kicked',
    );
    await crec.until(() => crec.closes.length === 10, 'ten client closes');
    const stats = server.stats();
    assertEqual(stats.sessions, 0, 'no session left');
    assertEqual(stats.sendBytesPending, 0, 'no bytes pending');
    kick = false;
    const id = client.connect(HOST, port, 5000);
    await crec.until(() => crec.opens.length === 11, 'new open');
    client.send(id, 5, 77, bytes(5000, 5));
    await crec.until(() => crec.framesOf(id).length === 1, 'echo after the aborts');
    assert(sameBytes(crec.framesOf(id)[0].payload, bytes(5000, 5)), 'echo intact');
    await client.shutdown();
    await server.shutdown();
  });

  t('shutdown closes every session with reason shutdown', async () => {
    const server = transport(engine);
    const srec = new Recorder(server);
    const { port } = await server.listen(HOST, 0);
    const sockets = [];
    for (let i = 0; i < 3; i++) {
      const s = await rawClient(port);
      s.on('error', () => {});
      sockets.push(s);
    }
    await srec.until(() => srec.opens.length === 3, 'three opens');
    await server.shutdown();
    assertEqual(srec.closes.length, 3, 'three closes');
    assert(
      srec.closes.every((c) => c.reason === 'shutdown'),
      'all shutdown',
    );
    const ends = sockets.map(
      (s) => new Promise((r) => (s.readableEnded || s.destroyed ? r() : s.on('close', r))),
    );
    sockets.forEach((s) => s.resume());
    await Promise.all(ends);
  });
}

if (!engineArgs.every((e) => binding.engines().includes(e === 'rio-native' ? 'rio' : e))) {
  console.log(`not ok - addon engines: ${binding.engines().join(', ')}`);
  console.log('windows: 0 passed, 1 failed');
  process.exitCode = 1;
} else {
  for (const engine of engineArgs) {
    defineTests(engine);
    defineFaultTests(
      (name, fn, ms) => test(`${engine}: ${name}`, fn, ms),
      (options) => transport(engine, options),
      (options, onEvents) => rawEngine(engine, options, onEvents),
    );
    defineWebSocketTests(
      (name, fn, ms) => test(`${engine}: websocket: ${name}`, fn, ms),
      engine,
      (options) => transport(engine, options),
    );
  }
  run().then((r) => {
    process.exit(r.failed === 0 && r.passed > 0 ? 0 : 1);
    process.exitCode = r.failed === 0 && r.passed > 0 ? 0 : 1;
  });
}

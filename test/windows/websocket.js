'use strict';
// WebSocket over the Windows engines (run by test/windows/run.js under Wine): the SAME conformance cases as
// the vitest suite on Linux (test/websocket/helpers/conformance-cases.ts), bundled into plain CommonJS by
// scripts/windows/bundle-tests.js (test-wine.sh runs it; node.exe has no TypeScript loader). Upgrade, echo
// in a binary message, fragmentation, ping / pong, close handshake, every protocol violation with its RFC
// code, the frame deadline on half-sent frames, upgrade refusals and static files.
const fs = require('node:fs');
const path = require('node:path');

const bundle =
  process.env.FASTPORT_WS_CASES || path.join(__dirname, '..', '..', 'build-win', 'ws-conformance.js');

// t(name, fn, timeoutMs); engine: the row name; transport(options) makes a transport of the engine under test.
function defineWebSocketTests(t, engine, transport) {
  if (!fs.existsSync(bundle)) {
    // Visible, never a silent skip: the cases exist, they were just not bundled.
    t('conformance cases bundled', () => {
      throw new Error(`${bundle} missing: run node scripts/windows/bundle-tests.js first`);
    });
    return;
  }
  const { conformanceCases, runCase } = require(bundle);
  const target = { name: engine, create: transport };
  for (const c of conformanceCases()) t(c.name, () => runCase(target, c), c.timeoutMs);
}

module.exports = { defineWebSocketTests };

'use strict';
// A tiny test harness for Windows node.exe under Wine (no vitest there): sequential tests, each bounded by
// a timeout, one 'ok' / 'not ok' line per test and a closing 'N passed, N failed' line. A test may describe
// its state for the timeout message: fn(ctx) with ctx.state(() => object) (the last one registered is
// printed as JSON when the test times out, so a stall says where it stands).
const results = { passed: 0, failed: 0 };
const tests = [];

// FASTPORT_WIN_TEST_FILTER=text runs only the tests whose name contains it.
const filter = process.env.FASTPORT_WIN_TEST_FILTER || '';

function test(name, fn, timeoutMs = Number(process.env.FASTPORT_WIN_TEST_TIMEOUT_MS) || 15000) {
  if (!name.includes(filter)) return;
  tests.push({ name, fn, timeoutMs });
}

function withTimeout(promise, ms, what, describe = () => undefined) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const state = describe();
      const detail = state === undefined ? '' : `; state: ${JSON.stringify(state)}`;
      reject(new Error(`timed out after ${ms} ms: ${what}${detail}`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// What a test hands the harness about itself.
function testContext() {
  let describe = () => undefined;
  return {
    state(fn) {
      describe = fn;
    },
    describe: () => {
      try {
        return describe();
      } catch (err) {
        return `state unavailable: ${err && err.message}`;
      }
    },
  };
}

async function run() {
  for (const t of tests) {
    const started = Date.now();
    try {
      const ctx = testContext();
      await withTimeout(
        Promise.resolve().then(() => t.fn(ctx)),
        t.timeoutMs,
        t.name,
        ctx.describe,
      );
      results.passed++;
      console.log(`ok - ${t.name} (${Date.now() - started} ms)`);
    } catch (err) {
      results.failed++;
      console.log(`not ok - ${t.name}: ${err && err.stack ? err.stack : err}`);
    }
  }
  console.log(`windows: ${results.passed} passed, ${results.failed} failed`);
  return results;
}

function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

function assertEqual(actual, expected, message) {
  if (actual !== expected) {
    throw new Error(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

module.exports = { test, run, assert, assertEqual, withTimeout };

'use strict';
// A tiny test harness for Windows node.exe under Wine (no vitest there): sequential tests, each bounded by
// a timeout, one 'ok' / 'not ok' line per test and a closing 'N passed, N failed' line. A test gets a ctx:
//   ctx.state(() => object)    printed as JSON when the test times out, so a stall says where it stands;
//   ctx.progress(() => value)  the timeout then counts from the last change of value (JSON-compared, checked
//                              every second): a slow run that keeps moving passes, one that stands still fails
//                              after timeoutMs; the whole test is still capped at kProgressCap x timeoutMs.
const results = { passed: 0, failed: 0 };
const tests = [];

// FASTPORT_WIN_TEST_FILTER=text runs only the tests whose name contains it.
const filter = process.env.FASTPORT_WIN_TEST_FILTER || '';

function test(name, fn, timeoutMs = Number(process.env.FASTPORT_WIN_TEST_TIMEOUT_MS) || 15000) {
  if (!name.includes(filter)) return;
  tests.push({ name, fn, timeoutMs });
}

const kProgressCap = 4;
const kProgressCheckMs = 1000;

// Rejects when `promise` has not settled in time: ms in all, or, with ctx.progress, ms without progress.
function withTimeout(promise, ms, what, ctx = testContext()) {
  const started = Date.now();
  let lastChange = started;
  let last = ctx.progressed();
  let timer;
  const timeout = new Promise((_, reject) => {
    const fail = (why) => {
      const state = ctx.describe();
      const detail = state === undefined ? '' : `; state: ${JSON.stringify(state)}`;
      reject(new Error(`timed out (${why}): ${what}${detail}`));
    };
    const check = () => {
      const now = Date.now();
      const value = ctx.progressed();
      if (value !== last) [last, lastChange] = [value, now];
      if (value === undefined && now - started >= ms) return fail(`after ${ms} ms`);
      if (value !== undefined && now - lastChange >= ms) return fail(`no progress for ${ms} ms`);
      if (now - started >= kProgressCap * ms) return fail(`after ${kProgressCap * ms} ms, still moving`);
      timer = setTimeout(check, Math.min(kProgressCheckMs, ms));
    };
    timer = setTimeout(check, Math.min(kProgressCheckMs, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// What a test hands the harness about itself (see the top).
function testContext() {
  let describe = () => undefined;
  let progress;
  const guarded = (fn) => {
    try {
      return fn();
    } catch (err) {
      return `unavailable: ${err && err.message}`;
    }
  };
  return {
    state(fn) {
      describe = fn;
    },
    progress(fn) {
      progress = fn;
    },
    describe: () => guarded(describe),
    progressed: () => (progress ? JSON.stringify(guarded(progress)) : undefined),
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
        ctx,
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

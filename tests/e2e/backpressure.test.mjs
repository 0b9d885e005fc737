// Backpressure: a `for await` loop that lags behind pauses the reading of the body, so the
// events waiting for it stay bounded and the server is slowed down; in Chromium, against a
// server that writes as fast as the client reads (`/sse/flood`, which counts what it sent).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { openPage } from '../support/browser.mjs';
import { serverAndBrowser } from '../support/pages.mjs';
import { keyMaker, sleep, until } from '../support/wait.mjs';

const live = serverAndBrowser();
const freshKey = keyMaker('backpressure-');
let page;

// 60,000 events of 1,000 bytes: about 61 MB, far more than the loop's backlog (1,024
// events, 1 MiB of data) plus what the socket and the browser buffer on the way.
const COUNT = 60_000;
const SIZE = 1000;
const TOTAL = Array.from({ length: COUNT }, (_, i) => `id: ${i + 1}\ndata: \n\n`.length + SIZE).reduce((a, b) => a + b, 0);
const MiB = (bytes) => `${(bytes / (1 << 20)).toFixed(1)} MiB`;

before(async () => {
  await live.ready;
  page = await openPage(live.browser, live.server.url);
  await page.evaluate(() => import('/pkg/index.js').then((lib) => (globalThis.lib = lib)));
});

/**
 * Starts, in the page, a `for await` loop over a new source that checks the ids run 1, 2,
 * … with no gap, and stops after `stallAfter` events until `release()` is called (or,
 * with `leave()`, leaves the loop there).
 */
function startLoop(url, init, stallAfter) {
  return page.evaluate(
    ([u, i, stall, count]) => {
      const state = { taken: 0, lastId: 0, gaps: 0, errors: [], done: false };
      globalThis.state = state;
      let release;
      const gate = new Promise((resolve) => (release = resolve));
      globalThis.release = () => release('on');
      globalThis.leave = () => release('leave');
      const source = new lib.EventSource(u, i);
      globalThis.source = source;
      source.onerror = (e) => state.errors.push(e.reason);
      (async () => {
        for await (const event of source) {
          const id = Number(event.lastEventId);
          if (id !== state.lastId + 1) state.gaps += 1;
          state.lastId = id;
          state.taken += 1;
          if (state.taken === stall && (await gate) === 'leave') break;
          if (id === count) break;
        }
        state.readyState = source.readyState;
        state.done = true;
      })().catch((e) => (state.failure = String(e)));
    },
    [url, init, stallAfter, COUNT],
  );
}

const state = () => page.evaluate(() => globalThis.state);

/** Waits for the loop to stall, then for the server's count to settle; returns the entry. */
async function stalled(key, stallAfter) {
  const [entry] = await live.server.waitForRequests(key, 1);
  await until(async () => (await state()).taken === stallAfter, 'the loop to take its first events', 5000);
  // Without backpressure the client reads the whole body in well under this.
  await sleep(1000);
  return entry;
}

test('a for await loop that stops taking events pauses the reading: the server sends a bounded amount, then all of it once the loop goes on', { timeout: 30_000 }, async () => {
  const key = freshKey('loop');
  await startLoop(`/sse/flood?count=${COUNT}&size=${SIZE}&key=${key}`, {}, 10);
  const entry = await stalled(key, 10);
  const sent = entry.sent;
  await sleep(500);
  console.log(`while the loop waited: ${MiB(sent)} of ${MiB(TOTAL)} sent, ${MiB(entry.sent)} half a second later`);
  assert.equal(entry.finished, false, 'the server did not get to the end');
  assert.ok(sent < TOTAL / 2, `the server sent ${MiB(sent)} of ${MiB(TOTAL)} while the loop waited`);
  assert.equal(entry.sent, sent, 'nothing more was sent while the loop kept waiting');
  await page.evaluate(() => globalThis.release());
  await until(async () => (await state()).done, 'the loop to take every event', 20_000);
  const end = await state();
  assert.deepEqual(
    { taken: end.taken, lastId: end.lastId, gaps: end.gaps, errors: end.errors, failure: end.failure },
    { taken: COUNT, lastId: COUNT, gaps: 0, errors: [], failure: undefined },
  );
  assert.equal(entry.finished, true);
  assert.equal(entry.sent, TOTAL);
  assert.equal(live.server.log(key).length, 1, 'one connection throughout');
});

test('the idle timeout does not count the time a lagging loop keeps the reading paused', { timeout: 30_000 }, async () => {
  const key = freshKey('idle');
  await startLoop(`/sse/flood?count=${COUNT}&size=${SIZE}&key=${key}`, { idleTimeout: 300 }, 10);
  const entry = await stalled(key, 10); // more than three idle timeouts
  assert.equal(entry.finished, false, 'the reading was paused');
  await page.evaluate(() => globalThis.release());
  await until(async () => (await state()).done, 'the loop to take every event', 20_000);
  const end = await state();
  assert.deepEqual({ taken: end.taken, gaps: end.gaps, errors: end.errors }, { taken: COUNT, gaps: 0, errors: [] });
  assert.equal(live.server.log(key).length, 1, 'no reconnect');
});

test('leaving a loop while the reading is paused closes the source and its connection', { timeout: 30_000 }, async () => {
  const key = freshKey('leave');
  await startLoop(`/sse/flood?count=${COUNT}&size=${SIZE}&key=${key}`, {}, 10);
  const entry = await stalled(key, 10);
  assert.equal(entry.finished, false);
  await page.evaluate(() => globalThis.leave());
  await until(async () => (await state()).done, 'the loop to end');
  await until(() => entry.closedAt !== null, 'the server to see the connection closed');
  const end = await state();
  assert.deepEqual({ taken: end.taken, readyState: end.readyState, errors: end.errors }, { taken: 10, readyState: 2, errors: [] });
  assert.equal(entry.finished, false);
  assert.equal(live.server.log(key).length, 1);
});

test('listeners alone never pause the reading: the whole body is read', { timeout: 30_000 }, async () => {
  const key = freshKey('listeners');
  await page.evaluate(
    ([u, count]) => {
      const state = { taken: 0, done: false };
      globalThis.state = state;
      const source = new lib.EventSource(u);
      source.onmessage = (event) => {
        state.taken += 1;
        if (Number(event.lastEventId) === count) {
          source.close();
          state.done = true;
        }
      };
    },
    [`/sse/flood?count=${COUNT}&size=${SIZE}&key=${key}`, COUNT],
  );
  await until(async () => (await state()).done, 'every event', 20_000);
  const [entry] = live.server.log(key);
  assert.equal((await state()).taken, COUNT);
  assert.equal(entry.sent, TOTAL);
});

test('a lagging loop never holds back listeners that take the same events', { timeout: 30_000 }, async () => {
  const key = freshKey('loop-and-listener');
  await startLoop(`/sse/flood?count=${COUNT}&size=${SIZE}&key=${key}`, {}, 10);
  const [entry] = await live.server.waitForRequests(key, 1);
  await until(async () => (await state()).taken === 10, 'the loop to stall', 5000);
  // Added to the paused source, the listener hears every event from the next one read on.
  await page.evaluate(() => {
    globalThis.heard = { first: 0, last: 0, count: 0 };
    globalThis.source.onmessage = (event) => {
      const id = Number(event.lastEventId);
      globalThis.heard.first ||= id;
      globalThis.heard.last = id;
      globalThis.heard.count += 1;
    };
  });
  await until(async () => (await page.evaluate(() => globalThis.heard.last)) === COUNT, 'the listener to hear the last event', 20_000);
  const heard = await page.evaluate(() => globalThis.heard);
  assert.equal(heard.count, COUNT - heard.first + 1, 'no event missed');
  assert.equal(entry.sent, TOTAL);
  assert.equal((await state()).taken, 10, 'the loop is still waiting');
  await page.evaluate(() => globalThis.release());
  await until(async () => (await state()).done, 'the loop to take every event, queued meanwhile', 20_000);
  const end = await state();
  assert.deepEqual({ taken: end.taken, gaps: end.gaps, errors: end.errors }, { taken: COUNT, gaps: 0, errors: [] });
});

// The idle timeout does not count a pause, and counts from the moment the reading resumes,
// also when the pause began and ended while its timer slept and nothing comes after it.
test('after a pause, the idle timeout counts from when the reading resumed', async () => {
  const fresh = await openPage(live.browser, live.server.url);
  const result = await fresh.evaluate(async () => {
    const { EventSource } = await import('/pkg/index.js');
    const block = new TextEncoder().encode('data: x\n\n'.repeat(3000));
    // One chunk of 3,000 events, then a body that stays open and silent.
    const fetch = async () => new Response(new ReadableStream({ start: (c) => c.enqueue(block) }), { headers: { 'content-type': 'text/event-stream' } });
    const source = new EventSource('/x', { fetch, idleTimeout: 400 });
    let caughtUp;
    const failed = new Promise((resolve) => source.addEventListener('error', (e) => resolve({ at: performance.now(), reason: e.reason })));
    let n = 0;
    const loop = (async () => {
      for await (const event of source) {
        void event;
        // A short stall at the start pauses the reading (3,000 events are over the backlog).
        if (++n === 1) await new Promise((r) => setTimeout(r, 50));
        if (n === 3000) caughtUp = performance.now();
      }
    })().catch(() => {});
    const error = await failed;
    source.close();
    await loop;
    return { reason: error.reason, afterCaughtUp: error.at - caughtUp, events: n };
  });
  await fresh.close();
  assert.equal(result.reason, 'idle_timeout');
  assert.equal(result.events, 3000);
  // 400 ms after the resume; counted from when the timer noticed the pause, about 750.
  console.log(`the timeout came ${result.afterCaughtUp.toFixed(0)} ms after the loop caught up`);
  assert.ok(result.afterCaughtUp > 300 && result.afterCaughtUp < 600, `the timeout came ${result.afterCaughtUp.toFixed(0)} ms after the loop caught up`);
});

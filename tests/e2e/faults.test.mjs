// Faults a long-lived client must survive, in Chromium against the scenario routes. So far:
// the half-open connection, caught by the opt-in idle timeout.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { openPage } from '../support/browser.mjs';
import { serverAndBrowser } from '../support/pages.mjs';
import { keyMaker, sleep } from '../support/wait.mjs';

const live = serverAndBrowser();
const freshKey = keyMaker('fault-');
let page;

before(async () => {
  await live.ready;
  page = await openPage(live.browser, live.server.url);
  await page.evaluate(() => import('/pkg/index.js').then((lib) => (globalThis.lib = lib)));
});

/** Opens an EventSource in the page that records its events into `globalThis.seen`. */
function open(url, init) {
  return page.evaluate(([u, i]) => {
    globalThis.seen = [];
    const source = new lib.EventSource(u, i);
    source.onmessage = (e) => globalThis.seen.push({ type: 'message', data: e.data, id: e.lastEventId });
    source.onerror = (e) => globalThis.seen.push({ type: 'error', reason: e.reason, willRetry: e.willRetry, retryIn: e.retryIn });
    globalThis.source = source;
  }, [url, init]);
}

const seen = () => page.evaluate(() => globalThis.seen);
const close = () => page.evaluate(() => globalThis.source.close());

test('a silent connection is dropped after idleTimeout and resumed with Last-Event-ID', async () => {
  const key = freshKey('stalled');
  await open(`/sse/stalled?key=${key}&retry=100`, { idleTimeout: 400 });
  const [first, second] = await live.server.waitForRequests(key, 2, 5000);
  await close();
  assert.ok(first.closedAt !== null, 'the client closed the silent connection');
  const quiet = first.closedAt - first.at;
  assert.ok(quiet >= 350 && quiet < 2000, `closed after about 400 ms of silence (${quiet} ms)`);
  assert.equal(second.lastEventId, '1');
  const events = await seen();
  assert.deepEqual(events.slice(0, 3), [
    { type: 'message', data: 'event 1', id: '1' },
    { type: 'error', reason: 'idle_timeout', willRetry: true, retryIn: 100 },
    { type: 'message', data: 'event 2', id: '2' },
  ]);
});

test('comments count as activity: a stream with heartbeats outlives a shorter idle timeout', async () => {
  const key = freshKey('heartbeat');
  // /sse/echo sends one event with data, then a comment every second.
  await open(`/sse/echo?key=${key}&end=0`, { idleTimeout: 1500 });
  await sleep(3500);
  const events = await seen();
  await close();
  assert.deepEqual(events.filter((e) => e.type === 'error'), [], 'no error in 3.5 s');
  assert.equal(live.server.log(key).length, 1, 'one connection throughout');
});

test('without idleTimeout a silent connection is kept, as the browser\'s EventSource keeps it', async () => {
  const key = freshKey('default');
  await open(`/sse/stalled?key=${key}`, {});
  await sleep(1500);
  const events = await seen();
  await close();
  assert.deepEqual(events.map((e) => e.type), ['message']);
  assert.equal(live.server.log(key).length, 1);
});

// What a stream, a caller or a failure can make the client send or say, in Chromium against
// the local server's request log: no header injection through Last-Event-ID, no secrets in
// error reports, and cookies only when the caller asks for them, as the browser's
// EventSource does.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from '../../scripts/sse-server.mjs';
import { openPage } from '../support/browser.mjs';
import { serverAndBrowser } from '../support/pages.mjs';
import { keyMaker } from '../support/wait.mjs';

const live = serverAndBrowser();
const freshKey = keyMaker('sec-');
let other; // a second server: another port, so another origin
let page;

before(async () => {
  await live.ready;
  other = await startServer();
  page = await openPage(live.browser, live.server.url);
  await page.evaluate(() => import('/pkg/index.js').then((lib) => (globalThis.lib = lib)));
});

after(() => other?.close());

/** Opens an EventSource in the page and waits for `count` requests with `key` at `server`. */
async function requestsOf(server, key, count, url, init) {
  await page.evaluate(([u, i]) => {
    (globalThis.sources ??= []).push(new lib.EventSource(u, i));
  }, [url, init]);
  const log = await server.waitForRequests(key, count, 8000);
  await page.evaluate(() => globalThis.sources.splice(0).forEach((s) => s.close()));
  return log;
}

test('a caller\'s last event ID with CR, LF or NUL is never sent, so no header can be injected', async () => {
  for (const id of ['a\r\nx-injected: 1', 'b\nx-injected: 1', 'c\rx-injected: 1', 'd\0e']) {
    const key = freshKey('id');
    const [request] = await requestsOf(live.server, key, 1, `/sse/echo?key=${key}`, { lastEventId: id });
    assert.equal(request.headers['last-event-id'], undefined, JSON.stringify(id));
    assert.equal(request.headers['x-injected'], undefined);
  }
  const key = freshKey('id');
  const [request] = await requestsOf(live.server, key, 1, `/sse/echo?key=${key}`, { lastEventId: 'plain' });
  assert.equal(request.headers['last-event-id'], 'plain', 'a clean ID is sent: the check above can fail');
});

test('an id the server sends with NUL is ignored: the reconnect carries the previous one', async () => {
  const key = freshKey('nul');
  const body = encodeURIComponent('retry: 50\nid: 7\ndata: x\n\nid: a\0b\ndata: y\n\n');
  const url = `/sse/status?code=200&type=text/event-stream&key=${key}&body=${body}`;
  const [, second] = await requestsOf(live.server, key, 2, url);
  assert.equal(second.lastEventId, '7');
});

test('error reports carry no request header values: an Authorization token stays out', async () => {
  const secret = 'Bearer s3cr3t-token-value';
  const reports = await page.evaluate(async (auth) => {
    const failures = ['/sse/status?code=500', '/sse/status?code=200&type=text/html', 'http://127.0.0.1:9/unreachable'];
    return Promise.all(failures.map((url) => new Promise((resolve) => {
      const source = new lib.EventSource(url, { headers: { Authorization: auth }, retry: { maxAttempts: 0 } });
      source.onerror = (e) => {
        if (e.willRetry) return;
        resolve(JSON.stringify({ message: e.message, reason: e.reason, error: { ...e.error, message: e.error.message } }));
      };
    })));
  }, secret);
  assert.equal(reports.length, 3);
  for (const report of reports) {
    assert.ok(report.includes('"reason"'), report);
    assert.ok(!report.includes('s3cr3t'), `no token in ${report}`);
  }
});

test('cookies go cross-origin only with withCredentials, as with the browser\'s EventSource', async () => {
  await page.context().addCookies([{ name: 'session', value: 'cookie-value', domain: '127.0.0.1', path: '/' }]);
  const seen = {};
  for (const [name, init] of [['default', {}], ['withCredentials', { withCredentials: true }]]) {
    const key = freshKey(name);
    const [request] = await requestsOf(other, key, 1, `${other.url}/sse/echo?key=${key}`, init);
    seen[name] = request.headers.cookie;
  }
  const key = freshKey('same-origin');
  const [sameOrigin] = await requestsOf(live.server, key, 1, `/sse/echo?key=${key}`, {});
  assert.deepEqual(seen, { default: undefined, withCredentials: 'session=cookie-value' });
  assert.equal(sameOrigin.headers.cookie, 'session=cookie-value', 'same-origin requests carry cookies, as the browser\'s');
});

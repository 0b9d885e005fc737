// The local test server's behavioural routes (scripts/scenarios.mjs), checked over real
// HTTP with Node's fetch, so a browser or wasm test that fails points at the client,
// not at the server it talks to.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../../scripts/sse-server.mjs';
import { keyMaker } from '../support/wait.mjs';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.close();
});

const freshKey = keyMaker('');

const get = (path, init) => fetch(server.url + path, init);

/** Reads a body to its end; a connection cut mid-body is reported, not thrown. */
async function readAll(response) {
  let text = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) text += decoder.decode(chunk, { stream: true });
    return { text, cut: false };
  } catch {
    return { text, cut: true };
  }
}

/** Reads until `predicate(text)` holds, then cancels the body. */
async function readUntil(response, predicate, ms = 2000) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + ms;
  let text = '';
  while (!predicate(text)) {
    assert.ok(Date.now() < deadline, `stream did not reach the expected point in ${ms} ms; got ${JSON.stringify(text)}`);
    const { done, value } = await reader.read();
    assert.equal(done, false, `stream ended early; got ${JSON.stringify(text)}`);
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

const SSE_TYPE = 'text/event-stream; charset=utf-8';

describe('CORS', () => {
  test('a preflight allows the methods and echoes the requested headers, and is not logged', async () => {
    const key = freshKey('preflight');
    const response = await get(`/sse/echo?key=${key}`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,last-event-id' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://127.0.0.1:1');
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
    assert.match(response.headers.get('access-control-allow-headers'), /\bauthorization\b/i);
    assert.equal(response.headers.get('access-control-max-age'), '600');
    assert.equal(await response.text(), '');
    assert.deepEqual(server.log(key), []);
  });

  test('responses carry the origin (or *) and expose their headers', async () => {
    const withOrigin = await get('/sse/comments', { headers: { origin: 'http://127.0.0.1:2' } });
    assert.equal(withOrigin.headers.get('access-control-allow-origin'), 'http://127.0.0.1:2');
    assert.equal(withOrigin.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(withOrigin.headers.get('access-control-expose-headers'), '*');
    await withOrigin.text();
    const withoutOrigin = await get('/log/nobody');
    assert.equal(withoutOrigin.headers.get('access-control-allow-origin'), '*');
    assert.equal(withoutOrigin.headers.get('access-control-allow-credentials'), null);
    assert.deepEqual(await withoutOrigin.json(), []);
  });
});

describe('request log and /sse/echo', () => {
  test('records method, body, decoded UTF-8 Last-Event-ID and connection numbers', async () => {
    const key = freshKey('echo');
    // Clients send the id's UTF-8 bytes as a byte string.
    const sent = Buffer.from('é✓', 'utf8').toString('latin1');
    const first = await get(`/sse/echo?end=1&key=${key}`, { method: 'POST', body: 'ping ✓', headers: { 'last-event-id': sent, 'x-test': 'yes' } });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), SSE_TYPE);
    const { text, cut } = await readAll(first);
    assert.equal(cut, false);
    const match = /^event: request\ndata: (.*)\n\n$/.exec(text);
    assert.ok(match, `unexpected echo body ${JSON.stringify(text)}`);
    const echoed = JSON.parse(match[1]);
    assert.equal(echoed.method, 'POST');
    assert.equal(echoed.body, 'ping ✓');
    assert.equal(echoed.lastEventId, 'é✓');
    assert.equal(echoed.headers['x-test'], 'yes');
    assert.equal(echoed.n, 1);

    await (await get(`/sse/echo?end=1&key=${key}`)).text();
    const log = await server.waitForRequests(key, 2, 1000);
    assert.deepEqual(
      log.map(({ n, method, path, body, lastEventId }) => ({ n, method, path, body, lastEventId })),
      [
        { n: 1, method: 'POST', path: '/sse/echo', body: 'ping ✓', lastEventId: 'é✓' },
        { n: 2, method: 'GET', path: '/sse/echo', body: '', lastEventId: null },
      ],
    );
    assert.equal(typeof log[0].at, 'number');

    const over = await get(`/log/${key}`);
    assert.equal(over.headers.get('cache-control'), 'no-store');
    const fromHttp = await over.json();
    assert.equal(fromHttp.length, 2);
    assert.equal(fromHttp[0].lastEventId, 'é✓');
    assert.equal(fromHttp[0].headers['x-test'], 'yes');
  });

  test('waitForRequests rejects with a clear error when the requests never come', async () => {
    await assert.rejects(server.waitForRequests(freshKey('never'), 1, 50), /expected 1 request.*within 50 ms, saw 0/);
  });
});

describe('/sse/resume', () => {
  test('drops after dropAfter events, resumes after Last-Event-ID, ends at total, then 204', async () => {
    const path = '/sse/resume?total=5&dropAfter=3&retry=150&interval=5';
    const first = await readAll(await get(path));
    assert.equal(first.text, 'retry: 150\n\nid: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: 3\ndata: 3\n\n');
    assert.equal(first.cut, true, 'the connection should be cut, not ended');

    const second = await get(path, { headers: { 'last-event-id': '3' } });
    assert.equal(second.status, 200);
    assert.deepEqual(await readAll(second), { text: 'retry: 150\n\nid: 4\ndata: 4\n\nid: 5\ndata: 5\n\n', cut: false });

    const done = await get(path, { headers: { 'last-event-id': '5' } });
    assert.equal(done.status, 204);
    assert.equal(await done.text(), '');
  });
});

describe('/sse/status and /sse/flaky', () => {
  test('status sends the chosen code, type, body and Retry-After', async () => {
    const defaults = await get('/sse/status');
    assert.equal(defaults.status, 500);
    assert.equal(defaults.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(defaults.headers.get('retry-after'), null);
    assert.equal(await defaults.text(), '<h1>Server error</h1>');

    const chosen = await get(`/sse/status?code=429&type=${encodeURIComponent('application/json')}&body=${encodeURIComponent('{"x":1}')}&retryAfter=7`);
    assert.equal(chosen.status, 429);
    assert.equal(chosen.headers.get('content-type'), 'application/json');
    assert.equal(chosen.headers.get('retry-after'), '7');
    assert.equal(await chosen.text(), '{"x":1}');

    const untyped = await get('/sse/status?code=200&type=none&body=data:%20x%0A%0A');
    assert.equal(untyped.status, 200);
    assert.equal(untyped.headers.get('content-type'), null);
    assert.equal(await untyped.text(), 'data: x\n\n');
  });

  test('flaky fails F times with the chosen code, then streams', async () => {
    const key = freshKey('flaky');
    const path = `/sse/flaky?key=${key}&failures=2&code=502&retryAfter=1`;
    for (let i = 0; i < 2; i += 1) {
      const failed = await get(path);
      assert.equal(failed.status, 502);
      assert.equal(failed.headers.get('retry-after'), '1');
      assert.match(failed.headers.get('content-type'), /^text\/plain/);
      assert.equal(await failed.text(), 'unavailable');
    }
    const ok = await get(path);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), SSE_TYPE);
    const text = await readUntil(ok, (t) => t.includes('\n\n'));
    assert.equal(text, 'id: ok\ndata: connected after 2 failures\n\n');
    assert.deepEqual(server.log(key).map((e) => e.n), [1, 2, 3]);
  });
});

describe('fixed streams', () => {
  test('/sse/comments', async () => {
    const { text, cut } = await readAll(await get('/sse/comments'));
    assert.equal(cut, false);
    assert.equal(text, ': only a comment\n\n: another\n\nretry: 1000\n\ndata: real\n\n:tail\n\n');
  });

  test('/sse/end writes count events, then ends', async () => {
    assert.deepEqual(await readAll(await get('/sse/end?count=3')), { text: 'data: event 1\n\ndata: event 2\n\ndata: event 3\n\n', cut: false });
    assert.deepEqual(await readAll(await get('/sse/end')), { text: 'data: event 1\n\ndata: event 2\n\n', cut: false });
  });

  test('/sse/openai accepts POST and ends with [DONE]', async () => {
    const response = await get('/sse/openai', { method: 'POST', body: '{"stream":true}', headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 200);
    const { text, cut } = await readAll(response);
    assert.equal(cut, false);
    const blocks = text.split('\n\n').filter(Boolean).map((b) => b.replace(/^data: /, ''));
    assert.equal(blocks.at(-1), '[DONE]');
    const deltas = blocks.slice(0, -1).map((b) => JSON.parse(b).choices[0].delta);
    assert.equal(deltas.length, 5);
    assert.equal(deltas.map((d) => d.content ?? '').join(''), 'Hello, world!');
    assert.deepEqual(deltas.at(-1), {});
  });

  test('/sse/named and /sse/token', async () => {
    const named = await readUntil(await get('/sse/named'), (t) => t.includes('unnamed two\n\n'));
    assert.equal(named, 'id: 1\ndata: unnamed one\n\nevent: ping\nid: 2\ndata: named ping\n\nevent: message\ndata: explicitly message\n\nevent: update\ndata: {"n":3}\n\ndata: unnamed two\n\n');
    const key = freshKey('token');
    assert.deepEqual(await readAll(await get(`/sse/token?key=${key}`, { headers: { authorization: 'Bearer abc' } })), { text: 'data: Bearer abc\n\n', cut: false });
    assert.deepEqual(await readAll(await get(`/sse/token?key=${key}`)), { text: 'data: none\n\n', cut: false });
    assert.deepEqual(server.log(key).map((e) => e.headers.authorization ?? null), ['Bearer abc', null]);
  });
});

describe('/sse/forever', () => {
  test('ticks until the client aborts, and the server records the close', async () => {
    const key = freshKey('forever');
    const controller = new AbortController();
    const response = await get(`/sse/forever?interval=10&key=${key}`, { signal: controller.signal });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('tick 3\n\n')) text += decoder.decode((await reader.read()).value, { stream: true });
    assert.match(text, /^id: 1\ndata: tick 1\n\nid: 2\ndata: tick 2\n\nid: 3\ndata: tick 3\n\n/);
    const [entry] = server.log(key);
    assert.equal(entry.closedAt, null, 'still open while the client reads');
    assert.ok(server.openStreams() >= 1);

    const abortedAt = Date.now();
    controller.abort();
    const deadline = Date.now() + 2000;
    while (entry.closedAt === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.notEqual(entry.closedAt, null, 'the server never saw the client go away');
    assert.ok(entry.closedAt >= abortedAt - 5);
    assert.equal(await server.streamsClosed(2000), 0);
  });
});

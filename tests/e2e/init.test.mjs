// Loading the wasm: automatic on first use, or from where the user says; each test gets
// a fresh page, since the module is loaded once per page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage } from '../support/browser.mjs';
import { serverAndBrowser } from '../support/pages.mjs';
import { keyMaker, sleep, until } from '../support/wait.mjs';

const live = serverAndBrowser();
const freshKey = keyMaker('init-');

/** Holds the page's requests for the .wasm until `release()`; `fail` answers them with a 404 then. */
async function holdWasm(page, { fail = false } = {}) {
  let release;
  const released = new Promise((resolve) => (release = resolve));
  await page.route('**/*.wasm', async (route) => {
    await released;
    await (fail ? route.fulfill({ status: 404, body: 'gone' }) : route.continue());
  });
  return release;
}

/** A fresh page whose .wasm is held back, and a request-log key for its test. */
async function heldPage(name) {
  const { page } = await freshPage();
  return { page, release: await holdWasm(page), key: freshKey(name) };
}

async function freshPage() {
  const page = await openPage(live.browser, live.server.url);
  const wasmRequests = [];
  page.on('request', (r) => r.url().endsWith('.wasm') && wasmRequests.push(new URL(r.url()).pathname));
  return { page, wasmRequests };
}

test('the first API call loads the wasm next to the module, once, without an explicit init', async () => {
  const { page, wasmRequests } = await freshPage();
  const counts = await page.evaluate(async () => {
    const { createParser } = await import('/pkg/index.js');
    const [a, b] = await Promise.all([createParser(), createParser()]);
    return [a.feed('data: 1\n\n').length, b.feed('data: 2\n\n').length];
  });
  assert.deepEqual(counts, [1, 1]);
  assert.deepEqual(wasmRequests, ['/pkg/wasm_sse_bg.wasm']);
  await page.close();
});

test('init() accepts the wasm bytes, and then nothing is fetched', async () => {
  const { page, wasmRequests } = await freshPage();
  const bytes = [...Buffer.from(await (await fetch(`${live.server.url}/pkg/wasm_sse_bg.wasm`)).arrayBuffer())];
  const data = await page.evaluate(async (wasm) => {
    const { init, createParser } = await import('/pkg/index.js');
    await init(new Uint8Array(wasm));
    const parser = await createParser();
    return parser.feed('data: from bytes\n\n')[0].data;
  }, bytes);
  assert.equal(data, 'from bytes');
  assert.deepEqual(wasmRequests, []);
  await page.close();
});

test('a failed load rejects, and a later call may load from a good URL', async () => {
  const { page } = await freshPage();
  const result = await page.evaluate(async () => {
    const { init, createParser } = await import('/pkg/index.js');
    let first;
    try {
      await init('/pkg/missing.wasm');
    } catch (e) {
      first = e.name;
    }
    await init('/pkg/wasm_sse_bg.wasm');
    const parser = await createParser();
    return { first, items: parser.feed('data: ok\n\n').length };
  });
  assert.ok(result.first, 'loading a missing .wasm should reject');
  assert.equal(result.items, 1);
  await page.close();
});

test('constructing a Parser before the wasm is loaded says what to do', async () => {
  const { page } = await freshPage();
  const message = await page.evaluate(async () => {
    const { Parser } = await import('/pkg/index.js');
    try {
      new Parser();
      return null;
    } catch (e) {
      return e.message;
    }
  });
  assert.match(message, /use `await createParser\(\)` or `await init\(\)` first/);
  await page.close();
});

test('a source sends its first request while the wasm loads, and the engine takes that response', async () => {
  const { page, wasmRequests } = await freshPage();
  const release = await holdWasm(page);
  const key = freshKey('early');
  await page.evaluate(async (key) => {
    const { EventSource } = await import('/pkg/index.js');
    const source = new EventSource(`/sse/echo?key=${key}`, {
      json: { question: 'early' },
      headers: async () => ({ authorization: 'Bearer early-token' }),
      lastEventId: 'é-41',
    });
    globalThis.source = source;
    globalThis.seen = [];
    source.onopen = () => seen.push({ type: 'open', readyState: source.readyState });
    source.addEventListener('request', (e) => seen.push({ type: 'request', request: JSON.parse(e.data) }));
    source.onerror = (e) => seen.push({ type: 'error', reason: e.reason });
  }, key);
  await until(() => live.server.log(key).length === 1, 'the request, with the .wasm held back');
  assert.deepEqual(wasmRequests, ['/pkg/wasm_sse_bg.wasm'], 'the .wasm was asked for and is held');
  assert.deepEqual(await page.evaluate(() => [seen, source.readyState]), [[], 0], 'nothing happens before the wasm is ready');
  release();
  await page.waitForFunction(() => seen.length >= 2);
  const seen = await page.evaluate(() => {
    source.close();
    return seen;
  });
  assert.equal(seen[0].type, 'open');
  assert.equal(seen[0].readyState, 1);
  const { request } = seen[1];
  assert.equal(request.method, 'POST');
  assert.equal(request.body, '{"question":"early"}');
  assert.equal(request.headers.authorization, 'Bearer early-token');
  assert.equal(request.headers['content-type'], 'application/json');
  assert.equal(request.headers.accept, 'text/event-stream');
  assert.equal(request.lastEventId, 'é-41');
  assert.equal(seen.length, 2, JSON.stringify(seen));
  assert.equal(live.server.log(key).length, 1, 'one request: the engine used the early one');
  await page.close();
});

test('closing a source before the wasm loads aborts its first request', async () => {
  const { page, release, key } = await heldPage('early-close');
  await page.evaluate(async (key) => {
    const { EventSource } = await import('/pkg/index.js');
    globalThis.source = new EventSource(`/sse/forever?key=${key}&interval=20`);
    globalThis.seen = [];
    for (const type of ['open', 'message', 'error']) source.addEventListener(type, () => seen.push(type));
  }, key);
  await until(() => live.server.log(key).length === 1, 'the request');
  await page.evaluate(() => source.close());
  await until(() => live.server.log(key)[0].closedAt !== null, 'the server to see the connection closed');
  release();
  await page.evaluate(async () => {
    const { init } = await import('/pkg/index.js');
    await init();
  });
  await sleep(100);
  assert.deepEqual(await page.evaluate(() => [seen, source.readyState]), [[], 2]);
  assert.equal(live.server.log(key).length, 1, 'no request after the close');
  await page.close();
});

test('when the wasm fails to load, the first request is aborted and the source fails', async () => {
  const { page } = await freshPage();
  const release = await holdWasm(page, { fail: true });
  const key = freshKey('early-fail');
  await page.evaluate(async (key) => {
    const { EventSource } = await import('/pkg/index.js');
    globalThis.source = new EventSource(`/sse/forever?key=${key}&interval=20`);
    globalThis.seen = [];
    source.onerror = (e) => seen.push({ reason: e.reason, readyState: source.readyState });
    source.onmessage = () => seen.push('message');
  }, key);
  await until(() => live.server.log(key).length === 1, 'the request');
  release();
  await page.waitForFunction(() => seen.length > 0);
  await until(() => live.server.log(key)[0].closedAt !== null, 'the server to see the connection closed');
  await sleep(100);
  assert.deepEqual(await page.evaluate(() => seen), [{ reason: 'init', readyState: 2 }]);
  assert.equal(live.server.log(key).length, 1);
  await page.close();
});

test('fetchEventSource: what a headers function throws before the wasm loads reaches onerror as it is', async () => {
  const { page } = await freshPage();
  const release = await holdWasm(page);
  await page.evaluate(async () => {
    const { fetchEventSource } = await import('/pkg/index.js');
    globalThis.headersCalls = 0;
    const boom = new Error('no token yet');
    globalThis.outcome = fetchEventSource('/sse/echo', {
      headers: () => {
        headersCalls += 1;
        throw boom;
      },
      onerror: (error) => {
        throw error;
      },
    }).then(
      () => 'resolved',
      (error) => (error === boom ? 'rejected with the thrown error' : `rejected with ${error?.name}: ${error?.message}`),
    );
  });
  await until(() => page.evaluate(() => headersCalls === 1), 'the headers function, before the wasm is ready');
  release();
  assert.equal(await page.evaluate(() => outcome), 'rejected with the thrown error');
  assert.equal(await page.evaluate(() => headersCalls), 1);
  await page.close();
});

test('the first request sent while the wasm loads carries the last event ID the engine starts from', async () => {
  const { page } = await freshPage();
  const release = await holdWasm(page);
  const keys = { number: freshKey('early-id-number'), nul: freshKey('early-id-nul'), text: freshKey('early-id-text') };
  await page.evaluate(async (keys) => {
    const { EventSource } = await import('/pkg/index.js');
    // Not a string, or holding U+0000: the engine starts from the empty ID, so no header.
    globalThis.sources = [
      new EventSource(`/sse/echo?key=${keys.number}`, { lastEventId: 42 }),
      new EventSource(`/sse/echo?key=${keys.nul}`, { lastEventId: 'a\0b' }),
      new EventSource(`/sse/echo?key=${keys.text}`, { lastEventId: 'x 7' }),
    ];
  }, keys);
  for (const key of Object.values(keys)) await until(() => live.server.log(key).length === 1, `the request of ${key}`);
  release();
  await page.evaluate(() => sources.forEach((s) => s.close()));
  assert.deepEqual(
    Object.values(keys).map((key) => live.server.log(key)[0].lastEventId),
    [null, null, 'x 7'],
  );
  await page.close();
});

test('while the wasm loads, a headers function is called after the constructor has returned', async () => {
  const { page, release, key } = await heldPage('early-tdz');
  await page.evaluate(async (key) => {
    const { EventSource } = await import('/pkg/index.js');
    globalThis.seen = [];
    let constructed = false;
    // Reads the source it configures: inside the constructor, `source` would not exist yet.
    const source = new EventSource(`/sse/echo?key=${key}`, {
      headers: () => {
        seen.push({ type: 'headers', duringConstructor: !constructed });
        return { 'x-source-url': source.url };
      },
    });
    constructed = true;
    globalThis.source = source;
    source.addEventListener('request', (e) => seen.push({ type: 'request', header: JSON.parse(e.data).headers['x-source-url'] }));
    source.onerror = (e) => seen.push({ type: 'error', message: e.message });
  }, key);
  await until(() => live.server.log(key).length === 1, 'the request, with the .wasm held back');
  release();
  await page.waitForFunction(() => seen.length >= 2);
  const seen = await page.evaluate(() => {
    source.close();
    return seen;
  });
  assert.deepEqual(seen, [
    { type: 'headers', duringConstructor: false },
    { type: 'request', header: `${live.server.url}/sse/echo?key=${key}` },
  ]);
  await page.close();
});

for (const loading of [false, true]) {
  test(`a source closed while its async headers function is pending calls neither its body function nor its fetch${loading ? ', while the wasm loads' : ''}`, async () => {
    const { page } = await freshPage();
    const release = loading ? await holdWasm(page) : () => {};
    if (!loading) await page.evaluate(async () => (await import('/pkg/index.js')).init());
    const calls = page.evaluate(async () => {
      const { EventSource } = await import('/pkg/index.js');
      const calls = [];
      const source = new EventSource('/sse/echo', {
        method: 'POST',
        headers: () => new Promise((resolve) => setTimeout(() => (calls.push('headers'), resolve({})), 300)),
        body: () => (calls.push('body'), 'x'),
        fetch: (url, init) => (calls.push('fetch'), fetch(url, init)),
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      source.close();
      await new Promise((resolve) => setTimeout(resolve, 600));
      return calls;
    });
    await sleep(100);
    release();
    assert.deepEqual(await calls, ['headers']);
    await page.close();
  });
}

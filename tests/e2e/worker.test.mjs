// The built package inside a module Web Worker, in headless Chromium against the local
// server: EventSource and fetchEventSource with no `window` and no `document`. The worker
// loads the package by absolute URL, so init() finds the wasm next to it through
// import.meta.url. The server's request log shows the requests really came from the
// worker: a blob: worker sends no Referer, where the page sends its own URL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../../scripts/sse-server.mjs';
import { launchBrowser, openPage } from '../support/browser.mjs';
import { keyMaker, sleep, until } from '../support/wait.mjs';

let server;
let browser;
let page;
let scope;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await openPage(browser, server.url);
  scope = await page.evaluate(startWorker, `{ ${Object.values(TASKS).map(String).join(',\n')} }`);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const freshKey = keyMaker('worker-');


// Runs in the page once: starts a module worker from a blob: URL holding `tasks` (an
// object literal of async functions, each called as task(lib, args) in the worker), and
// `runInWorker(task, args)` to run one and get its result back. Resolves with what the
// worker says about its global scope once the package has loaded there.
async function startWorker(tasks) {
  const origin = location.origin;
  const source = `
const { EventSource, fetchEventSource } = await import(${JSON.stringify(`${origin}/pkg/index.js`)});
const origin = ${JSON.stringify(origin)};
const tasks = ${tasks};
self.onmessage = async ({ data: { id, task, args } }) => {
  try {
    const result = await tasks[task]({ EventSource, fetchEventSource, origin }, args);
    postMessage({ id, ok: true, result });
  } catch (error) {
    postMessage({ id, ok: false, error: String(error?.stack ?? error) });
  }
};
postMessage({
  ready: true,
  scope: self.constructor.name,
  document: typeof document,
  window: typeof window,
  fetchEventSource: typeof fetchEventSource,
});
`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url, { type: 'module' });
  const pending = new Map();
  let next = 0;
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not load the package within 5 s')), 5000);
    worker.onerror = (e) => {
      clearTimeout(timer);
      reject(new Error(`the worker failed: ${e.message}`));
    };
    worker.onmessage = ({ data }) => {
      if (data.ready) {
        clearTimeout(timer);
        resolve(data);
        return;
      }
      const { resolve: settle, reject: fail } = pending.get(data.id);
      pending.delete(data.id);
      if (data.ok) settle(data.result);
      else fail(new Error(`in the worker: ${data.error}`));
    };
  });
  URL.revokeObjectURL(url);
  globalThis.runInWorker = (task, args, ms = 5000) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => reject(new Error(`the worker's ${task} took over ${ms} ms`)), ms);
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      worker.postMessage({ id, task, args });
    });
  return ready;
}

// Run in the worker (each is serialised into its source): they use only the arguments
// and the worker's globals.
const TASKS = {
  async named({ EventSource, origin }, { key }) {
    const source = new EventSource(`${origin}/sse/named?key=${key}`);
    const events = [];
    await new Promise((resolve, reject) => {
      const take = (e) => {
        events.push({ type: e.type, data: e.data, lastEventId: e.lastEventId, origin: e.origin });
        if (events.length === 3) {
          source.close();
          resolve();
        }
      };
      source.onmessage = take;
      source.addEventListener('ping', take);
      source.addEventListener('update', take);
      source.onerror = (e) => reject(new Error(`error event: ${e.message}`));
    });
    return { events, readyState: source.readyState, document: typeof document };
  },

  async post({ fetchEventSource, origin }, { key, payload }) {
    const calls = [];
    await fetchEventSource(`${origin}/sse/echo?end=1&key=${key}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer worker' },
      body: JSON.stringify(payload),
      onopen: async (response) => {
        calls.push({ type: 'open', status: response.status, contentType: response.headers.get('content-type') });
      },
      onmessage: (msg) => calls.push({ type: 'message', ...msg }),
      onclose: () => calls.push({ type: 'close' }),
      onerror: (error) => {
        calls.push({ type: 'error', message: error.message });
        throw error;
      },
    });
    calls.push({ type: 'resolved' });
    return { calls, document: typeof document };
  },

  async retries({ fetchEventSource, origin }, { flakyKey, endKey }) {
    // A failed open, retried by the engine after onerror's delay, then an abort.
    const controller = new AbortController();
    const flaky = [];
    await fetchEventSource(`${origin}/sse/flaky?key=${flakyKey}&failures=1&code=503`, {
      signal: controller.signal,
      onmessage: (msg) => {
        flaky.push(msg.data);
        controller.abort();
      },
      onerror: (error) => {
        flaky.push(`error: ${error.message}`);
        return 50;
      },
    });
    // A throw from onclose, retried by the wrapper's own timer.
    const ended = [];
    await fetchEventSource(`${origin}/sse/end?count=1&key=${endKey}`, {
      onmessage: (msg) => ended.push(msg.data),
      onclose: () => {
        ended.push('close');
        if (ended.length < 3) throw new Error('again');
      },
      onerror: (error) => {
        ended.push(`error: ${error.message}`);
        return 50;
      },
    });
    return { flaky, ended };
  },

  async resume({ EventSource, origin }, { key }) {
    const source = new EventSource(`${origin}/sse/resume?key=${key}&total=6&dropAfter=3&retry=50`);
    const data = [];
    const errors = [];
    source.onmessage = (e) => data.push({ data: e.data, lastEventId: e.lastEventId });
    await new Promise((resolve) => {
      source.onerror = (e) => {
        errors.push({ reason: e.reason, willRetry: e.willRetry, readyState: source.readyState });
        if (source.readyState === EventSource.CLOSED) resolve();
      };
    });
    return { data, errors, readyState: source.readyState, closeReason: source.closeReason, document: typeof document };
  },
};

/** The request-log checks that say a request came from the worker. */
function assertFromWorker(entry) {
  assert.equal(entry.headers['sec-fetch-dest'], 'empty');
  assert.equal(entry.headers['sec-fetch-site'], 'same-origin');
  // A request from the page carries the page's URL as its Referer; one from a blob:
  // worker carries none, since a blob: URL is never sent as a referrer.
  assert.equal(entry.headers.referer, undefined, `a Referer of ${entry.headers.referer}: sent by the page, not the worker`);
}

describe('in a module Web Worker', () => {
  test('the package loads in a dedicated worker, which has no document or window', () => {
    assert.deepEqual(scope, {
      ready: true,
      scope: 'DedicatedWorkerGlobalScope',
      document: 'undefined',
      window: 'undefined',
      fetchEventSource: 'function',
    });
  });

  test('EventSource: unnamed and named events, then close()', async () => {
    const key = freshKey('named');
    const result = await page.evaluate((args) => runInWorker('named', args), { key });
    const origin = server.url;
    assert.deepEqual(result, {
      events: [
        { type: 'message', data: 'unnamed one', lastEventId: '1', origin },
        { type: 'ping', data: 'named ping', lastEventId: '2', origin },
        { type: 'message', data: 'explicitly message', lastEventId: '2', origin },
      ],
      readyState: 2,
      document: 'undefined',
    });
    const log = server.log(key);
    assert.equal(log.length, 1);
    assert.equal(log[0].method, 'GET');
    assert.equal(log[0].headers.accept, 'text/event-stream');
    assertFromWorker(log[0]);
    await until(() => log[0].closedAt !== null, 'close() to close the request', 2000);
  });

  test('fetchEventSource: POST with a JSON body, then onclose and resolve, with no document', async () => {
    const key = freshKey('post');
    const payload = { prompt: 'from a worker ✓', n: 1 };
    const result = await page.evaluate((args) => runInWorker('post', args), { key, payload });
    assert.equal(result.document, 'undefined');
    assert.deepEqual(
      result.calls.map((c) => c.type),
      ['open', 'message', 'close', 'resolved'],
      JSON.stringify(result.calls),
    );
    assert.deepEqual(result.calls[0], { type: 'open', status: 200, contentType: 'text/event-stream; charset=utf-8' });
    const { data, ...message } = result.calls[1];
    // 2.0.1's message: `retry` is there, undefined, when the stream sent none.
    assert.deepEqual(message, { type: 'message', id: '', event: 'request', retry: undefined });
    const seen = JSON.parse(data);
    assert.equal(seen.method, 'POST');
    assert.deepEqual(JSON.parse(seen.body), payload);
    assert.equal(seen.headers.authorization, 'Bearer worker');

    await sleep(200);
    const log = server.log(key);
    assert.equal(log.length, 1, 'the end of the body must not reconnect');
    assert.equal(log[0].method, 'POST');
    assert.equal(log[0].headers['content-type'], 'application/json');
    assert.equal(log[0].body, JSON.stringify(payload));
    assertFromWorker(log[0]);
  });

  test('fetchEventSource retries without window timers: after a failed open and after onclose throws', async () => {
    const flakyKey = freshKey('flaky');
    const endKey = freshKey('end');
    const result = await page.evaluate((args) => runInWorker('retries', args), { flakyKey, endKey });
    assert.deepEqual(result, {
      flaky: ['error: Expected content-type to be text/event-stream, Actual: text/plain; charset=utf-8', 'connected after 1 failures'],
      ended: ['event 1', 'close', 'error: again', 'event 1', 'close'],
    });
    const flaky = server.log(flakyKey);
    assert.equal(flaky.length, 2);
    const ended = server.log(endKey);
    assert.equal(ended.length, 2);
    for (const entry of [...flaky, ...ended]) assertFromWorker(entry);
    for (const log of [flaky, ended]) {
      const gap = log[1].at - log[0].at;
      assert.ok(gap >= 45 && gap < 1000, `retried after ${gap} ms, expected about 50`);
    }
  });

  test('EventSource: a dropped connection resumes with Last-Event-ID until a 204 closes it', async () => {
    const key = freshKey('resume');
    const result = await page.evaluate((args) => runInWorker('resume', args), { key });
    assert.equal(result.document, 'undefined');
    assert.deepEqual(
      result.data,
      ['1', '2', '3', '4', '5', '6'].map((n) => ({ data: n, lastEventId: n })),
    );
    // A cut after event 3 and the clean end after event 6 both reconnect; the 204 closes.
    assert.deepEqual(result.errors, [
      { reason: 'network', willRetry: true, readyState: 0 },
      { reason: 'end_of_stream', willRetry: true, readyState: 0 },
      { reason: 'no_content', willRetry: false, readyState: 2 },
    ]);
    assert.equal(result.readyState, 2);
    assert.equal(result.closeReason, 'no_content');
    const log = server.log(key);
    assert.deepEqual(
      log.map((e) => e.lastEventId),
      [null, '3', '6'],
    );
    for (const entry of log) assertFromWorker(entry);
    for (let i = 1; i < log.length; i++) {
      const gap = log[i].at - log[i - 1].closedAt;
      assert.ok(gap >= 35 && gap < 1000, `reconnected ${gap} ms after the previous connection closed, expected about 50`);
    }
  });

  test('the same request from the page does carry a Referer (the check above tells them apart)', async () => {
    const key = freshKey('page');
    await page.evaluate(async (url) => {
      const { fetchEventSource } = await import('/pkg/index.js');
      await fetchEventSource(url, { onerror: (e) => { throw e; } });
    }, `/sse/echo?end=1&key=${key}`);
    const [entry] = server.log(key);
    assert.equal(entry.headers.referer, `${server.url}/blank`);
  });
});

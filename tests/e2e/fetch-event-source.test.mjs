// The built package's fetchEventSource in headless Chromium against the local server's
// behavioural routes (scripts/scenarios.mjs). The contract is @microsoft/fetch-event-source
// 2.0.1 (callbacks, message objects, promise, retry and visibility semantics), with the
// fixes the README lists; the server's request log shows the client's side of each exchange.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../../scripts/sse-server.mjs';
import { launchBrowser, openPage } from '../support/browser.mjs';
import { keyMaker, sleep, until } from '../support/wait.mjs';

let server;
let browser;
let page;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await openPage(browser, server.url);
  await page.evaluate(installHelpers);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const freshKey = keyMaker('fes-');


/** Milliseconds between consecutive requests of a log. */
const gaps = (log) => log.slice(1).map((entry, i) => entry.at - log[i].at);

const CONTENT_TYPE_ERROR = (actual) => `Expected content-type to be text/event-stream, Actual: ${actual}`;

// Runs in the page once. `run(input, init)` calls fetchEventSource with the given options,
// recording every callback call in order (the given callbacks still run and decide), and
// how the promise settled. Absent callbacks are recorded through wrappers that return
// nothing, which 2.0.1 treats as absent; `onopen` is wrapped only when given, so the
// default one stays in force otherwise. A run still going after `init.limit` ms (default
// 5000) is aborted, with a `timeout` entry, so a client that retries for ever fails its
// test instead of hanging it.
function installHelpers() {
  globalThis.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  globalThis.handles = {};
  const describeError = (e) => ({ name: e?.name, message: e?.message });
  globalThis.run = async (input, init = {}) => {
    const { fetchEventSource } = await import('/pkg/index.js');
    const calls = [];
    const waiters = new Set();
    const push = (entry) => {
      calls.push(entry);
      for (const waiter of [...waiters]) waiter();
    };
    const { limit = 5000, ...given } = init;
    const guard = new AbortController();
    const timer = setTimeout(() => {
      push({ type: 'timeout' });
      guard.abort();
    }, limit);
    const options = {
      ...given,
      signal: init.signal ? AbortSignal.any([init.signal, guard.signal]) : guard.signal,
      onmessage: (msg) => {
        // `retry` is listed only when an event set it, which keeps the expectations short.
        const { retry, ...fields } = msg;
        push({ type: 'message', ...fields, ...(retry !== undefined && { retry }) });
        return init.onmessage?.(msg);
      },
      onclose: () => {
        push({ type: 'close' });
        return init.onclose?.();
      },
      onerror: (error) => {
        push({ type: 'error', ...describeError(error) });
        return init.onerror?.(error);
      },
    };
    if (init.onopen) {
      options.onopen = async (response) => {
        push({ type: 'open', isResponse: response instanceof Response, status: response.status });
        return init.onopen(response);
      };
    }
    const promise = fetchEventSource(input, options);
    promise.finally(() => clearTimeout(timer)).catch(() => {});
    const settled = promise.then(
      () => {
        push({ type: 'resolved' });
        return calls;
      },
      (error) => {
        push({ type: 'rejected', ...describeError(error) });
        return calls;
      },
    );
    const until = (predicate, what = 'the expected calls', ms = 4000) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + ms;
        const check = () => {
          if (predicate(calls)) {
            stop();
            resolve(calls);
          } else if (Date.now() >= deadline) {
            stop();
            reject(new Error(`timed out after ${ms} ms waiting for ${what}; saw ${JSON.stringify(calls)}`));
          }
        };
        const poll = setInterval(check, 10);
        const stop = () => {
          waiters.delete(check);
          clearInterval(poll);
        };
        waiters.add(check);
        check();
      });
    const of = (type) => calls.filter((c) => c.type === type);
    return { calls, promise, settled, until, of };
  };
  // Chromium lets a page shadow document.hidden and visibilityState with own properties;
  // deleting them brings back the real ones.
  globalThis.setHidden = (hidden) => {
    Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
    Object.defineProperty(document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  };
  globalThis.restoreVisibility = () => {
    delete document.hidden;
    delete document.visibilityState;
  };
}

describe('requests', () => {
  test('POST with headers and a body: onopen, one message, onclose, resolve; no reconnect at the end', async () => {
    const key = freshKey('post');
    const { calls, keys } = await page.evaluate(async (url) => {
      let keys;
      const r = await run(url, {
        method: 'POST',
        headers: { Authorization: 'Bearer x', 'Content-Type': 'application/json' },
        body: JSON.stringify({ q: 1 }),
        onopen: async () => {},
        onmessage: (msg) => {
          keys = Object.entries(msg).map(([k, v]) => `${k}:${typeof v}`);
        },
        onerror: (e) => {
          throw e;
        },
      });
      return { calls: await r.settled, keys };
    }, `/sse/echo?key=${key}&end=1`);
    assert.deepEqual(
      calls.map((c) => c.type),
      ['open', 'message', 'close', 'resolved'],
      JSON.stringify(calls),
    );
    assert.deepEqual(calls[0], { type: 'open', isResponse: true, status: 200 });
    const { data, ...message } = calls[1];
    assert.deepEqual(message, { type: 'message', id: '', event: 'request' });
    // 2.0.1's message object: these keys in this order, `retry` undefined when the stream
    // sent no retry field.
    assert.deepEqual(keys, ['data:string', 'event:string', 'id:string', 'retry:undefined']);
    const seen = JSON.parse(data);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.body, '{"q":1}');
    assert.equal(seen.headers.authorization, 'Bearer x');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers.accept, 'text/event-stream');
    assert.equal(seen.lastEventId, null);

    await sleep(300);
    const log = server.log(key);
    assert.equal(log.length, 1, 'the end of the body must not reconnect');
    assert.equal(log[0].method, 'POST');
    assert.equal(log[0].body, '{"q":1}');
    assert.notEqual(log[0].closedAt, null);
  });

  test('a Headers instance as headers, with Accept defaulting to text/event-stream', async () => {
    const key = freshKey('headers-instance');
    const calls = await page.evaluate(async (url) => {
      const r = await run(url, { headers: new Headers({ Authorization: 'Bearer h' }) });
      return r.settled;
    }, `/sse/echo?key=${key}&end=1`);
    assert.deepEqual(
      calls.map((c) => c.type),
      ['message', 'close', 'resolved'],
    );
    const seen = JSON.parse(calls[0].data);
    assert.equal(seen.method, 'GET');
    assert.equal(seen.headers.authorization, 'Bearer h');
    assert.equal(seen.headers.accept, 'text/event-stream');
    const log = server.log(key);
    assert.equal(log.length, 1);
    assert.equal(log[0].headers.authorization, 'Bearer h');
    assert.equal(log[0].headers.accept, 'text/event-stream');
  });

  test('an Accept header of the caller is kept, as 2.0.1 keeps it', async () => {
    const key = freshKey('accept');
    const calls = await page.evaluate(async (url) => {
      const r = await run(url, { headers: { accept: 'text/event-stream, application/json' } });
      return r.settled;
    }, `/sse/echo?key=${key}&end=1`);
    assert.equal(calls[0].type, 'message', JSON.stringify(calls));
    assert.equal(server.log(key)[0].headers.accept, 'text/event-stream, application/json');
  });

  test('a Request as input keeps its method and body', async () => {
    const key = freshKey('request-input');
    const calls = await page.evaluate(async (url) => {
      const r = await run(new Request(url, { method: 'POST', body: 'from a Request' }), {
        onerror: (e) => {
          throw e;
        },
      });
      return r.settled;
    }, `/sse/echo?key=${key}&end=1`);
    assert.deepEqual(
      calls.map((c) => c.type),
      ['message', 'close', 'resolved'],
      JSON.stringify(calls),
    );
    const log = server.log(key);
    assert.equal(log.length, 1);
    assert.equal(log[0].method, 'POST');
    assert.equal(log[0].body, 'from a Request');
  });

  test('a custom fetch gets the headers as a plain object and its errors reach onerror as thrown', async () => {
    const key = freshKey('custom-fetch');
    const result = await page.evaluate(async (url) => {
      class FatalError extends Error {}
      const fatal = new FatalError('no more');
      const seenHeaders = [];
      let n = 0;
      let rejectedWith;
      const r = await run(url, {
        headers: { Authorization: 'Bearer c' },
        // The usual wrapper: spread the given headers and add one.
        fetch: (input, init) => {
          seenHeaders.push(init.headers);
          n += 1;
          if (n === 2) return Promise.reject(fatal);
          return fetch(input, { ...init, headers: { ...init.headers, 'x-extra': String(n) } });
        },
        onclose: () => {
          throw new Error('again');
        },
        onerror: (e) => {
          if (e instanceof FatalError) throw e;
          return 10;
        },
      });
      await r.promise.catch((e) => {
        rejectedWith = e;
      });
      return { calls: await r.settled, seenHeaders, sameError: rejectedWith === fatal };
    }, `/sse/echo?key=${key}&end=1`);
    assert.deepEqual(
      result.calls.map((c) => c.type),
      ['message', 'close', 'error', 'error', 'rejected'],
      JSON.stringify(result.calls),
    );
    assert.deepEqual(result.calls[3], { type: 'error', name: 'Error', message: 'no more' });
    assert.equal(result.sameError, true, 'the promise rejects with the very error the fetch threw');
    assert.deepEqual(result.seenHeaders[0], { accept: 'text/event-stream', authorization: 'Bearer c' });
    const log = server.log(key);
    assert.equal(log.length, 1);
    assert.equal(log[0].headers['x-extra'], '1');
    assert.equal(log[0].headers.authorization, 'Bearer c');
    assert.equal(log[0].headers.accept, 'text/event-stream');
  });

  test('an onopen that throws undefined: onerror gets undefined itself, as in 2.0.1', async () => {
    const key = freshKey('throw-undefined');
    const seen = await page.evaluate(async (url) => {
      const got = [];
      const r = await run(url, {
        onopen: async () => {
          throw undefined;
        },
        onerror: (e) => {
          got.push(e === undefined ? 'undefined' : String(e?.name));
          throw new Error('stop');
        },
      });
      await r.settled;
      return got;
    }, `/sse/echo?key=${key}`);
    assert.deepEqual(seen, ['undefined']);
  });

  test('a headers function that fails once: onerror gets its error and its retry delay is followed', async () => {
    const key = freshKey('headers-fn');
    const result = await page.evaluate(async (url) => {
      const expired = new Error('token expired');
      let n = 0;
      let errorSeen;
      const r = await run(url, {
        headers: () => {
          n += 1;
          if (n === 1) throw expired;
          return { Authorization: `Bearer ${n}` };
        },
        onerror: (e) => {
          errorSeen = e;
          return 50;
        },
      });
      return { calls: await r.settled, same: errorSeen === expired };
    }, `/sse/echo?key=${key}&end=1`);
    assert.deepEqual(
      result.calls.map((c) => c.type),
      ['error', 'message', 'close', 'resolved'],
      JSON.stringify(result.calls),
    );
    assert.equal(result.same, true, 'onerror gets the very error the headers function threw');
    assert.equal(JSON.parse(result.calls[1].data).headers.authorization, 'Bearer 2');
    assert.equal(server.log(key).length, 1);
  });
});

describe('messages', () => {
  test('named and unnamed events in order; aborting resolves without onclose or onerror', async () => {
    const key = freshKey('named');
    const calls = await page.evaluate(async (url) => {
      const controller = new AbortController();
      let n = 0;
      const r = await run(url, {
        signal: controller.signal,
        onmessage: () => {
          if (++n === 5) controller.abort();
        },
      });
      await r.settled;
      await sleep(200);
      return r.calls;
    }, `/sse/named?key=${key}`);
    // `id` is the last event ID, carried over by events without an `id:` field.
    assert.deepEqual(calls, [
      { type: 'message', id: '1', event: '', data: 'unnamed one' },
      { type: 'message', id: '2', event: 'ping', data: 'named ping' },
      { type: 'message', id: '2', event: 'message', data: 'explicitly message' },
      { type: 'message', id: '2', event: 'update', data: '{"n":3}' },
      { type: 'message', id: '2', event: '', data: 'unnamed two' },
      { type: 'resolved' },
    ]);
    await until(() => server.log(key)[0]?.closedAt !== null, 'the server to see the request closed', 2000);
    assert.equal(server.log(key).length, 1);
  });

  test('comment-only, retry-only and trailing comment blocks dispatch nothing', async () => {
    const key = freshKey('comments');
    const calls = await page.evaluate(async (url) => (await run(url)).settled, `/sse/comments?key=${key}`);
    // `retry` is the `retry:` value received since the previous message.
    assert.deepEqual(calls, [{ type: 'message', id: '', event: '', data: 'real', retry: 1000 }, { type: 'close' }, { type: 'resolved' }]);
    assert.equal(server.log(key).length, 1);
  });

  test('an OpenAI-style chat completion, POSTed, accumulated until [DONE]', async () => {
    const key = freshKey('openai');
    const result = await page.evaluate(async (url) => {
      let text = '';
      let done = false;
      const r = await run(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-test' },
        body: JSON.stringify({ model: 'test', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        onmessage: (msg) => {
          if (msg.data === '[DONE]') {
            done = true;
            return;
          }
          text += JSON.parse(msg.data).choices[0].delta.content ?? '';
        },
      });
      return { calls: await r.settled, text, done };
    }, `/sse/openai?key=${key}`);
    assert.equal(result.text, 'Hello, world!');
    assert.equal(result.done, true);
    assert.deepEqual(
      result.calls.map((c) => c.type),
      ['message', 'message', 'message', 'message', 'message', 'message', 'close', 'resolved'],
    );
    const log = server.log(key);
    assert.equal(log.length, 1);
    assert.equal(log[0].method, 'POST');
    assert.equal(JSON.parse(log[0].body).stream, true);
  });
});

describe('errors and retries', () => {
  test('onerror returning a delay: failed opens are retried after it', async () => {
    const key = freshKey('flaky');
    const result = await page.evaluate(async (url) => {
      const controller = new AbortController();
      const errors = [];
      const r = await run(url, {
        signal: controller.signal,
        onerror: (e) => {
          errors.push(String(e.message));
          return 100;
        },
      });
      await r.until((calls) => calls.some((c) => c.type === 'message'), 'the message after the failures');
      controller.abort();
      return { calls: await r.settled, errors };
    }, `/sse/flaky?key=${key}&failures=2&code=503`);
    const refused = CONTENT_TYPE_ERROR('text/plain; charset=utf-8');
    assert.deepEqual(result.errors, [refused, refused]);
    assert.deepEqual(result.calls, [
      { type: 'error', name: 'Error', message: refused },
      { type: 'error', name: 'Error', message: refused },
      { type: 'message', id: 'ok', event: '', data: 'connected after 2 failures' },
      { type: 'resolved' },
    ]);
    const log = server.log(key);
    assert.equal(log.length, 3);
    for (const gap of gaps(log)) assert.ok(gap >= 90 && gap < 1000, `gap of ${gap} ms, expected about 100`);
  });

  test('onerror throwing: the promise rejects with that error after one request', async () => {
    const key = freshKey('status-500');
    const result = await page.evaluate(async (url) => {
      let thrown;
      let rejectedWith;
      const r = await run(url, {
        onerror: (e) => {
          thrown = new Error(`stop: ${e.message}`);
          throw thrown;
        },
      });
      await r.promise.catch((e) => {
        rejectedWith = e;
      });
      return { calls: await r.settled, same: rejectedWith === thrown };
    }, `/sse/status?code=500&key=${key}`);
    const refused = CONTENT_TYPE_ERROR('text/html; charset=utf-8');
    assert.deepEqual(result.calls, [
      { type: 'error', name: 'Error', message: refused },
      { type: 'rejected', name: 'Error', message: `stop: ${refused}` },
    ]);
    assert.equal(result.same, true);
    await sleep(200);
    assert.equal(server.log(key).length, 1);
  });

  test('the default onopen also refuses a non-2xx status with the right content type', async () => {
    const key = freshKey('status-type');
    const calls = await page.evaluate(
      async (url) => (await run(url, { onerror: (e) => { throw e; } })).settled,
      `/sse/status?code=500&type=text/event-stream&body=data:%20x%0A%0A&key=${key}`,
    );
    const refused = 'Expected a successful response, Actual: 500 Internal Server Error';
    assert.deepEqual(calls, [
      { type: 'error', name: 'Error', message: refused },
      { type: 'rejected', name: 'Error', message: refused },
    ]);
    assert.equal(server.log(key).length, 1);
  });

  test('the default onopen compares the content type without case', async () => {
    const key = freshKey('type-case');
    const calls = await page.evaluate(
      async (url) => (await run(url, { onerror: (e) => { throw e; } })).settled,
      `/sse/status?code=200&type=Text/Event-Stream;charset=UTF-8&body=data:%20x%0A%0A&key=${key}`,
    );
    assert.deepEqual(calls, [{ type: 'message', id: '', event: '', data: 'x' }, { type: 'close' }, { type: 'resolved' }]);
  });

  test('a 204 ends the stream: onclose, then resolve, without a retry', async () => {
    const key = freshKey('204');
    const calls = await page.evaluate(async (url) => (await run(url)).settled, `/sse/status?code=204&key=${key}`);
    assert.deepEqual(calls, [{ type: 'close' }, { type: 'resolved' }]);
    await sleep(300);
    assert.equal(server.log(key).length, 1);
  });

  test('onerror returning nothing retries after the default 1000 ms', async () => {
    const key = freshKey('default-interval');
    const calls = await page.evaluate(async (url) => {
      const controller = new AbortController();
      const r = await run(url, { signal: controller.signal });
      await r.until((calls) => calls.some((c) => c.type === 'message'), 'the message after the failure');
      controller.abort();
      return r.settled;
    }, `/sse/flaky?key=${key}&failures=1&code=503`);
    assert.deepEqual(
      calls.map((c) => c.type),
      ['error', 'message', 'resolved'],
    );
    const log = server.log(key);
    assert.equal(log.length, 2);
    const [gap] = gaps(log);
    assert.ok(gap >= 800 && gap < 2000, `gap of ${gap} ms, expected about 1000`);
  });

  test("the server's retry: replaces the interval, and Last-Event-ID resumes after a drop", async () => {
    const key = freshKey('resume');
    const calls = await page.evaluate(async (url) => (await run(url)).settled, `/sse/resume?key=${key}&total=6&dropAfter=3&retry=150`);
    // The first connection is cut after event 3 (one onerror); the second sends 4..6 and
    // ends cleanly, which resolves: 2.0.1 does not reconnect at the end of the body.
    const messages = calls.filter((c) => c.type === 'message');
    assert.deepEqual(
      messages.map((m) => m.data),
      ['1', '2', '3', '4', '5', '6'],
    );
    assert.deepEqual(
      messages.map((m) => m.id),
      ['1', '2', '3', '4', '5', '6'],
    );
    // Each connection starts with `retry: 150`; the message after it carries the value.
    assert.deepEqual(
      messages.map((m) => m.retry),
      [150, undefined, undefined, 150, undefined, undefined],
    );
    assert.deepEqual(
      calls.map((c) => c.type),
      ['message', 'message', 'message', 'error', 'message', 'message', 'message', 'close', 'resolved'],
    );
    const log = server.log(key);
    assert.deepEqual(
      log.map((e) => e.lastEventId),
      [null, '3'],
    );
    const gap = log[1].at - log[0].closedAt;
    assert.ok(gap >= 120 && gap < 1000, `reconnected ${gap} ms after the drop, expected about 150`);
  });

  test('Last-Event-ID is sent on a retry as the UTF-8 bytes of an id outside Latin-1', async () => {
    const key = freshKey('utf8-id');
    const id = 'é✓😀';
    const result = await page.evaluate(
      async ({ url, id }) => {
        let n = 0;
        const r = await run(url, {
          // The first response is made here: one event with the id, then the body fails.
          fetch: (input, init) => {
            if (++n > 1) return fetch(input, init);
            const body = new ReadableStream({
              start(controller) {
                controller.enqueue(new TextEncoder().encode(`id: ${id}\ndata: first\n\n`));
                setTimeout(() => controller.error(new TypeError('connection cut')), 20);
              },
            });
            return Promise.resolve(new Response(body, { headers: { 'content-type': 'text/event-stream' } }));
          },
          onerror: () => 10,
        });
        return r.settled;
      },
      { url: `/sse/echo?key=${key}&end=1`, id },
    );
    assert.deepEqual(
      result.map((c) => c.type),
      ['message', 'error', 'message', 'close', 'resolved'],
      JSON.stringify(result),
    );
    assert.equal(result[0].id, id);
    assert.equal(JSON.parse(result[2].data).lastEventId, id);
    const log = server.log(key);
    assert.equal(log.length, 1);
    assert.equal(log[0].lastEventId, id);
    assert.equal(log[0].headers['last-event-id'], Buffer.from(id, 'utf8').toString('latin1'));
  });

  test(
    'an id-only block sets the Last-Event-ID of a reconnect made after onclose throws',
    async () => {
      const key = freshKey('id-only');
      const calls = await page.evaluate(async (url) => {
        let n = 0;
        const r = await run(url, {
          // The first response is made here; it ends cleanly after an id-only block.
          fetch: (input, init) => {
            if (++n > 1) return fetch(input, init);
            const text = 'id: 1\ndata: first\n\nid: 2\n\n';
            return Promise.resolve(new Response(text, { headers: { 'content-type': 'text/event-stream' } }));
          },
          onclose: () => {
            if (n === 1) throw new Error('again');
          },
          onerror: () => 10,
        });
        return r.settled;
      }, `/sse/echo?key=${key}&end=1`);
      assert.deepEqual(
        calls.map((c) => c.type),
        ['message', 'close', 'error', 'message', 'close', 'resolved'],
        JSON.stringify(calls),
      );
      // The spec sets the last event ID at every blank line, and 2.0.1 on every `id:` field.
      assert.equal(server.log(key)[0]?.lastEventId, '2');
    },
  );

  test('onmessage throwing: onerror gets that very error, and its delay reconnects', async () => {
    const key = freshKey('onmessage-throws');
    const result = await page.evaluate(async (url) => {
      const boom = new Error('bad message');
      let throws = 0;
      let same;
      const r = await run(url, {
        onmessage: () => {
          if (throws++ === 0) throw boom;
        },
        onerror: (e) => {
          same = e === boom;
          return 50;
        },
      });
      return { calls: await r.settled, same };
    }, `/sse/end?count=2&key=${key}`);
    assert.equal(result.same, true);
    assert.deepEqual(result.calls, [
      { type: 'message', id: '', event: '', data: 'event 1' },
      { type: 'error', name: 'Error', message: 'bad message' },
      { type: 'message', id: '', event: '', data: 'event 1' },
      { type: 'message', id: '', event: '', data: 'event 2' },
      { type: 'close' },
      { type: 'resolved' },
    ]);
    const log = server.log(key);
    assert.equal(log.length, 2);
    const [gap] = gaps(log);
    assert.ok(gap >= 45 && gap < 1000, `gap of ${gap} ms, expected about 50`);
  });

  test('onmessage throwing mid-chunk: the reconnect resumes after that event, so the rest of the chunk comes again', async () => {
    const key = freshKey('throw-mid-chunk');
    const calls = await page.evaluate(async (url) => {
      let thrown = false;
      const r = await run(url, {
        onmessage: (msg) => {
          if (msg.id === '2' && !thrown) {
            thrown = true;
            throw new Error('once');
          }
        },
        onerror: () => 20,
      });
      return r.settled;
    }, `/sse/resume?total=5&burst=1&key=${key}`);
    // Events 1 to 5 came in one chunk; 3 to 5 were parsed but not delivered when 2 threw.
    assert.deepEqual(
      calls.map((c) => (c.type === 'message' ? c.data : c.type)),
      ['1', '2', 'error', '3', '4', '5', 'close', 'resolved'],
    );
    assert.deepEqual(
      server.log(key).map((e) => e.lastEventId),
      [null, '2'],
    );
  });

  test('onclose throwing reconnects through onerror', async () => {
    const key = freshKey('onclose-throws');
    const calls = await page.evaluate(async (url) => {
      let closes = 0;
      const r = await run(url, {
        onclose: () => {
          if (++closes < 3) throw new Error('again');
        },
        onerror: () => 50,
      });
      return r.settled;
    }, `/sse/end?count=1&key=${key}`);
    const round = [{ type: 'message', id: '', event: '', data: 'event 1' }, { type: 'close' }];
    const again = { type: 'error', name: 'Error', message: 'again' };
    assert.deepEqual(calls, [...round, again, ...round, again, ...round, { type: 'resolved' }]);
    const log = server.log(key);
    assert.equal(log.length, 3);
    for (const gap of gaps(log)) assert.ok(gap >= 45 && gap < 1000, `gap of ${gap} ms, expected about 50`);
  });

  test('a custom onopen that throws for a 200 event stream: onerror gets that error', async (t) => {
    const key = freshKey('onopen-throws');
    const result = await page.evaluate(async (url) => {
      let same;
      const r = await run(url, {
        onopen: async (response) => {
          if (!response.headers.has('x-session')) throw new Error('no session header');
        },
        onerror: (e) => {
          same = e.message === 'no session header' && e instanceof Error;
          throw e;
        },
      });
      return { calls: await r.settled, same };
    }, `/sse/echo?key=${key}`);
    assert.equal(result.same, true);
    assert.deepEqual(result.calls, [
      { type: 'open', isResponse: true, status: 200 },
      { type: 'error', name: 'Error', message: 'no session header' },
      { type: 'rejected', name: 'Error', message: 'no session header' },
    ]);
    const log = server.log(key);
    assert.equal(log.length, 1);
    // The refused response is not read on: its request is closed. Usually within
    // milliseconds; once, in a full run, it took over 2 s, so the bound is loose and the
    // time is reported.
    const settledAt = Date.now();
    await until(() => log[0].closedAt !== null, 'the refused request to close', 6000);
    t.diagnostic(`the server saw the refused request closed ${Math.max(0, log[0].closedAt - settledAt)} ms after the promise settled`);
  });
});

describe('aborting', () => {
  test('an already-aborted signal resolves at once, without a request', async () => {
    const key = freshKey('pre-aborted');
    const result = await page.evaluate(async (url) => {
      const controller = new AbortController();
      controller.abort();
      const started = performance.now();
      const r = await run(url, { signal: controller.signal, onopen: async () => {} });
      const calls = await r.settled;
      return { calls, elapsed: performance.now() - started };
    }, `/sse/echo?key=${key}`);
    assert.deepEqual(result.calls, [{ type: 'resolved' }]);
    assert.ok(result.elapsed < 100, `resolved after ${result.elapsed} ms`);
    await sleep(300);
    assert.deepEqual(server.log(key), []);
  });

  test('aborting the signal in onmessage: no onmessage after it, not even from the same chunk', async () => {
    const key = freshKey('abort-in-onmessage');
    const calls = await page.evaluate(async (url) => {
      const controller = new AbortController();
      const r = await run(url, {
        signal: controller.signal,
        onmessage: (msg) => {
          if (msg.id === '2') controller.abort();
        },
      });
      return r.settled;
    }, `/sse/resume?total=5&burst=1&key=${key}`);
    assert.deepEqual(
      calls.map((c) => (c.type === 'message' ? c.data : c.type)),
      ['1', '2', 'resolved'],
    );
  });
});

describe('page visibility', () => {
  test('hidden closes the request and stays closed; visible reopens with Last-Event-ID', async () => {
    const key = freshKey('hidden');
    try {
      await page.evaluate(async (url) => {
        const controller = new AbortController();
        handles.hidden = { controller, ...(await run(url, { signal: controller.signal })) };
        await handles.hidden.until((calls) => calls.length >= 3, 'three ticks');
      }, `/sse/forever?key=${key}&interval=50`);
      assert.equal(server.log(key).length, 1);

      await page.evaluate(() => setHidden(true));
      await until(() => server.log(key)[0].closedAt !== null, 'the server to see the request closed', 2000);
      const countAtClose = await page.evaluate(() => handles.hidden.calls.length);
      await sleep(300);
      assert.equal(server.log(key).length, 1, 'no request while hidden');
      const whileHidden = await page.evaluate(() => handles.hidden.calls);
      assert.equal(whileHidden.length, countAtClose, 'nothing dispatched while hidden');
      assert.ok(
        whileHidden.every((c) => c.type === 'message'),
        `no onerror or onclose for the hidden page: ${JSON.stringify(whileHidden)}`,
      );
      const lastId = whileHidden.at(-1).id;

      await page.evaluate(() => setHidden(false));
      const log = await server.waitForRequests(key, 2, 2000);
      assert.equal(log[1].lastEventId, lastId);
      const resumed = await page.evaluate(async (count) => {
        await handles.hidden.until((calls) => calls.length >= count + 1, 'a tick after becoming visible');
        handles.hidden.controller.abort();
        return handles.hidden.settled;
      }, whileHidden.length);
      // /sse/forever numbers its ticks from 1 on every connection.
      assert.deepEqual(resumed[whileHidden.length], { type: 'message', id: '1', event: '', data: 'tick 1' });
      assert.deepEqual(resumed.at(-1), { type: 'resolved' });
      assert.equal(server.log(key).length, 2);
    } finally {
      await page.evaluate(() => restoreVisibility());
    }
  });

  test("an onopen of a connection closed for the hidden page that fails late is not the next connection's error", async () => {
    const key = freshKey('stale-onopen');
    try {
      const calls = await page.evaluate(async (url) => {
        const controller = new AbortController();
        let opens = 0;
        const r = await run(url, {
          signal: controller.signal,
          onopen: async () => {
            if (++opens === 1) {
              await sleep(300);
              throw new Error('stale');
            }
          },
          onerror: () => 5000,
        });
        await sleep(50);
        setHidden(true);
        setHidden(false);
        // The second connection is cut after three events, after the stale rejection.
        await r.until((calls) => calls.some((c) => c.type === 'error'), 'the second connection to fail', 3000);
        controller.abort();
        return r.settled;
      }, `/sse/resume?total=50&dropAfter=3&interval=150&key=${key}`);
      const errors = calls.filter((c) => c.type === 'error');
      assert.equal(errors.length, 1, JSON.stringify(calls));
      // The cut connection's own error, not the closed one's 'stale'.
      assert.equal(errors[0].name, 'SseError', `onerror got ${JSON.stringify(errors[0])}`);
    } finally {
      await page.evaluate(() => restoreVisibility());
    }
  });

  test('a retry pending when the page is hidden waits until it is visible', async () => {
    const key = freshKey('hidden-retry');
    try {
      await page.evaluate(async (url) => {
        const controller = new AbortController();
        handles.retry = { controller, ...(await run(url, { signal: controller.signal, onerror: () => 300 })) };
        await handles.retry.until((calls) => calls.length >= 1, 'the first failure');
        setHidden(true);
      }, `/sse/status?code=503&key=${key}`);
      await sleep(600);
      assert.equal(server.log(key).length, 1, 'no retry while hidden');
      const shownAt = Date.now();
      await page.evaluate(() => setHidden(false));
      const log = await server.waitForRequests(key, 2, 1000);
      assert.ok(log[1].at >= shownAt && log[1].at - shownAt < 200, `retried ${log[1].at - shownAt} ms after becoming visible`);
      const calls = await page.evaluate(() => {
        handles.retry.controller.abort();
        return handles.retry.settled;
      });
      assert.deepEqual(calls.at(-1), { type: 'resolved' });
    } finally {
      await page.evaluate(() => restoreVisibility());
    }
  });

  test('openWhenHidden: hiding the page changes nothing', async () => {
    const key = freshKey('open-when-hidden');
    try {
      await page.evaluate(async (url) => {
        const controller = new AbortController();
        handles.open = { controller, ...(await run(url, { signal: controller.signal, openWhenHidden: true })) };
        await handles.open.until((calls) => calls.length >= 2, 'two ticks');
        setHidden(true);
      }, `/sse/forever?key=${key}&interval=50`);
      const before = await page.evaluate(() => handles.open.calls.length);
      await sleep(300);
      const log = server.log(key);
      assert.equal(log.length, 1);
      assert.equal(log[0].closedAt, null, 'still open');
      const calls = await page.evaluate(() => {
        handles.open.controller.abort();
        return handles.open.settled;
      });
      assert.ok(calls.length >= before + 3, `messages kept coming while hidden: ${calls.length - before} more`);
      assert.ok(calls.slice(0, -1).every((c) => c.type === 'message'));
      assert.deepEqual(calls.at(-1), { type: 'resolved' });
      assert.equal(server.log(key).length, 1);
    } finally {
      await page.evaluate(() => restoreVisibility());
    }
  });
});

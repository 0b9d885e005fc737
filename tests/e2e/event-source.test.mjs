// The built package's EventSource in headless Chromium against the local server's
// behavioural routes (scripts/scenarios.mjs): what it sends, what it dispatches, how it
// reconnects and resumes, and how it stops. The server's request log shows the client's
// side of each exchange.
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
  await page.evaluate(installRecorder);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const freshKey = keyMaker('es-');


// Runs in the page once. `record(source, types)` logs everything the source dispatches
// (open, error, message and the named `types`) as plain objects a test can return, and
// `until(predicate)` waits for that log to reach a point, failing with what it saw.
function installRecorder() {
  globalThis.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  globalThis.record = (source, types = []) => {
    const events = [];
    const waiters = new Set();
    const push = (entry) => {
      events.push(entry);
      for (const waiter of [...waiters]) waiter();
    };
    source.addEventListener('open', () => push({ type: 'open', readyState: source.readyState }));
    source.addEventListener('error', (e) =>
      push({
        type: 'error',
        reason: e.reason,
        code: e.code,
        message: e.message,
        willRetry: e.willRetry,
        retryIn: e.retryIn,
        attempt: e.attempt,
        readyState: source.readyState,
        error: {
          name: e.error?.name,
          isError: e.error instanceof Error,
          reason: e.error?.reason,
          status: e.error?.status,
          contentType: e.error?.contentType,
          body: e.error?.body,
          retryable: e.error?.retryable,
          attempts: e.error?.attempts,
        },
      }),
    );
    for (const type of ['message', ...types]) {
      source.addEventListener(type, (e) =>
        push({ type: e.type, data: e.data, lastEventId: e.lastEventId, origin: e.origin, isMessageEvent: e instanceof MessageEvent }),
      );
    }
    const until = (predicate, what = 'the expected events', ms = 4000) =>
      new Promise((resolve, reject) => {
        // Checked on every event and every 10 ms, for conditions set by other listeners.
        const deadline = Date.now() + ms;
        const check = () => {
          if (predicate(events)) {
            stop();
            resolve(events);
          } else if (Date.now() >= deadline) {
            stop();
            reject(new Error(`timed out after ${ms} ms waiting for ${what}; saw ${JSON.stringify(events)}`));
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
    const of = (type) => events.filter((e) => e.type === type);
    return { events, until, of };
  };
}

describe('requests', () => {
  test('POST with json and an Authorization header: method, body and headers reach the server', async () => {
    const key = freshKey('post-json');
    const payload = { prompt: 'hi ✓', n: 2, nested: { ok: true } };
    const seen = await page.evaluate(
      async ({ key, payload }) => {
        const { EventSource } = await import('/pkg/index.js');
        const source = new EventSource(`/sse/echo?key=${key}`, { json: payload, headers: { Authorization: 'Bearer t1' } });
        const log = record(source, ['request']);
        await log.until((events) => events.some((e) => e.type === 'request'), 'the echoed request');
        source.close();
        return { events: log.events, readyState: source.readyState, closeReason: source.closeReason };
      },
      { key, payload },
    );
    assert.deepEqual(
      seen.events.map((e) => e.type),
      ['open', 'request'],
    );
    assert.equal(seen.readyState, 2);
    assert.equal(seen.closeReason, 'closed');
    const echoed = JSON.parse(seen.events[1].data);
    assert.equal(echoed.method, 'POST');
    assert.equal(echoed.body, JSON.stringify(payload));
    assert.deepEqual(JSON.parse(echoed.body), payload);
    assert.equal(echoed.headers['content-type'], 'application/json');
    assert.equal(echoed.headers.authorization, 'Bearer t1');
    assert.equal(echoed.headers.accept, 'text/event-stream');
    assert.equal(echoed.lastEventId, null);

    const log = server.log(key);
    assert.equal(log.length, 1);
    assert.equal(log[0].method, 'POST');
    assert.equal(log[0].path, '/sse/echo');
    assert.equal(log[0].body, JSON.stringify(payload));
    assert.equal(log[0].headers['content-type'], 'application/json');
    assert.equal(log[0].headers.authorization, 'Bearer t1');
    assert.equal(log[0].headers.accept, 'text/event-stream');
    assert.equal(log[0].lastEventId, null);
  });

  test('a Last-Event-ID outside Latin-1 is sent as its UTF-8 bytes', async () => {
    const key = freshKey('utf8-id');
    const id = 'é✓😀';
    const seen = await page.evaluate(
      async ({ key, id }) => {
        const { EventSource } = await import('/pkg/index.js');
        const source = new EventSource(`/sse/echo?key=${key}`, { lastEventId: id });
        const log = record(source, ['request']);
        await log.until((events) => events.some((e) => e.type === 'request' || e.type === 'error'), 'the echoed request');
        source.close();
        return log.events;
      },
      { key, id },
    );
    assert.deepEqual(
      seen.map((e) => e.type),
      ['open', 'request'],
      `unexpected events ${JSON.stringify(seen)}`,
    );
    assert.equal(JSON.parse(seen[1].data).lastEventId, id);
    const log = server.log(key);
    assert.equal(log.length, 1);
    assert.equal(log[0].lastEventId, id);
  });

  test('headers and body functions are called again for every connection', async () => {
    const tokenKey = freshKey('token');
    const tokens = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      let n = 0;
      const source = new EventSource(`/sse/token?key=${key}`, {
        retry: 50,
        headers: async () => {
          await sleep(1);
          return { Authorization: `Bearer ${++n}` };
        },
      });
      const messages = [];
      const done = new Promise((resolve) => {
        source.onmessage = (e) => {
          messages.push(e.data);
          if (messages.length === 3) {
            source.close();
            resolve();
          }
        };
      });
      await Promise.race([done, sleep(4000)]);
      source.close();
      return { messages, calls: n };
    }, tokenKey);
    assert.deepEqual(tokens.messages, ['Bearer 1', 'Bearer 2', 'Bearer 3']);
    assert.equal(tokens.calls, 3);
    await sleep(150);
    assert.deepEqual(
      server.log(tokenKey).map((entry) => entry.headers.authorization),
      ['Bearer 1', 'Bearer 2', 'Bearer 3'],
    );

    const bodyKey = freshKey('body-fn');
    const bodies = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      let m = 0;
      const source = new EventSource(`/sse/echo?key=${key}&end=1`, { method: 'POST', retry: 50, body: () => `body ${++m}` });
      const log = record(source, ['request']);
      await log.until((events) => log.of('request').length >= 3, 'three echoed requests');
      source.close();
      return { echoed: log.of('request').map((e) => JSON.parse(e.data)), calls: m };
    }, bodyKey);
    assert.deepEqual(
      bodies.echoed.map(({ method, body, n }) => ({ method, body, n })),
      [
        { method: 'POST', body: 'body 1', n: 1 },
        { method: 'POST', body: 'body 2', n: 2 },
        { method: 'POST', body: 'body 3', n: 3 },
      ],
    );
    assert.equal(bodies.calls, 3);
    await sleep(150);
    assert.deepEqual(
      server.log(bodyKey).map((entry) => entry.body),
      ['body 1', 'body 2', 'body 3'],
    );
  });

  test('whatever a headers function throws, the error says it readably and no request is sent', async () => {
    const key = freshKey('headers-throw');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const circular = { step: 'token' };
      circular.self = circular;
      const thrown = [
        new TypeError('token expired'),
        'plain text',
        { code: 42, detail: 'no token' },
        circular,
        7,
        undefined,
        function refreshToken() {},
        Symbol('gone'),
        Object.create(null),
      ];
      const messages = [];
      for (const value of thrown) {
        const source = new EventSource(`/sse/token?key=${key}`, {
          headers: () => {
            throw value;
          },
        });
        const log = record(source);
        await log.until((events) => events.some((e) => e.type === 'error'), 'the error event');
        const [error] = log.of('error');
        messages.push({ reason: error.reason, message: error.message, readyState: source.readyState });
      }
      return messages;
    }, key);
    const prefix = 'invalid request: the headers function failed: ';
    assert.deepEqual(
      seen.map((e) => [e.reason, e.readyState]),
      seen.map(() => ['request', 2]),
      'each fails the source for good',
    );
    assert.deepEqual(
      seen.map((e) => e.message),
      [
        'token expired',
        'plain text',
        '{"code":42,"detail":"no token"}',
        '[object Object]',
        '7',
        'undefined',
        'function refreshToken',
        'Symbol(gone)',
        '{}',
      ].map((text) => `${prefix}${text}`),
    );
    assert.equal(server.log(key).length, 0, 'the server saw no request');
  });

  test('options fetch cannot take fail the source as an invalid request, and nothing is sent', async () => {
    const key = freshKey('bad-init');
    const seen = await page.evaluate(async (key) => {
      const { EventSource, fetchEventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/echo?key=${key}`, { credentials: 'sometimes' });
      const log = record(source);
      await log.until((events) => events.some((e) => e.type === 'error'), 'the error event');
      const [error] = log.of('error');
      // fetchEventSource: onerror decides, as for any error; here it stops.
      let fesError;
      await fetchEventSource(`/sse/echo?key=${key}`, {
        mode: 'bogus',
        onerror: (e) => {
          fesError = e;
          throw e;
        },
      }).catch(() => {});
      return {
        source: { reason: error.reason, message: error.message, readyState: source.readyState },
        fes: { name: fesError?.name, reason: fesError?.reason, message: fesError?.message },
      };
    }, key);
    assert.equal(seen.source.reason, 'request');
    assert.equal(seen.source.readyState, 2, 'closed for good');
    assert.match(seen.source.message, /^invalid request: .*credentials/i);
    assert.equal(seen.fes.name, 'SseError');
    assert.equal(seen.fes.reason, 'request');
    assert.match(seen.fes.message, /^invalid request: .*mode/i);
    assert.equal(server.log(key).length, 0, 'the server saw no request');
  });
});

describe('events', () => {
  test('named and unnamed events: onmessage, listeners, lastEventId, origin, readyState and url', async () => {
    const seen = await page.evaluate(async () => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource('/sse/named');
      const all = [];
      const onmessage = [];
      const byListener = { message: [], ping: [], update: [] };
      let openState = null;
      source.onopen = () => {
        openState = source.readyState;
      };
      const done = new Promise((resolve, reject) => {
        source.onmessage = (e) => {
          onmessage.push({ type: e.type, data: e.data, lastEventId: e.lastEventId, origin: e.origin, isMessageEvent: e instanceof MessageEvent });
          if (e.data === 'unnamed two') resolve();
        };
        source.onerror = (e) => reject(new Error(`error event: ${e.reason}`));
        setTimeout(() => reject(new Error(`timed out; saw ${JSON.stringify(all)}`)), 4000);
      });
      for (const type of Object.keys(byListener)) {
        source.addEventListener(type, (e) => {
          byListener[type].push({ data: e.data, lastEventId: e.lastEventId });
          all.push(`${e.type}:${e.data}`);
        });
      }
      const constants = [EventSource.CONNECTING, EventSource.OPEN, EventSource.CLOSED, source.CONNECTING, source.OPEN, source.CLOSED];
      const initial = source.readyState;
      await done;
      const openAtEnd = source.readyState;
      source.close();
      return {
        url: source.url,
        withCredentials: source.withCredentials,
        isEventTarget: source instanceof EventTarget,
        constants,
        initial,
        openState,
        openAtEnd,
        closed: source.readyState,
        closeReason: source.closeReason,
        onmessage,
        byListener,
        all,
      };
    });
    const origin = server.url;
    assert.equal(seen.url, `${origin}/sse/named`);
    assert.equal(seen.withCredentials, false);
    assert.equal(seen.isEventTarget, true);
    assert.deepEqual(seen.constants, [0, 1, 2, 0, 1, 2]);
    assert.equal(seen.initial, 0);
    assert.equal(seen.openState, 1);
    assert.equal(seen.openAtEnd, 1);
    assert.equal(seen.closed, 2);
    assert.equal(seen.closeReason, 'closed');
    assert.deepEqual(seen.onmessage, [
      { type: 'message', data: 'unnamed one', lastEventId: '1', origin, isMessageEvent: true },
      { type: 'message', data: 'explicitly message', lastEventId: '2', origin, isMessageEvent: true },
      { type: 'message', data: 'unnamed two', lastEventId: '2', origin, isMessageEvent: true },
    ]);
    assert.deepEqual(seen.byListener, {
      message: [
        { data: 'unnamed one', lastEventId: '1' },
        { data: 'explicitly message', lastEventId: '2' },
        { data: 'unnamed two', lastEventId: '2' },
      ],
      ping: [{ data: 'named ping', lastEventId: '2' }],
      update: [{ data: '{"n":3}', lastEventId: '2' }],
    });
    assert.deepEqual(seen.all, ['message:unnamed one', 'ping:named ping', 'message:explicitly message', 'update:{"n":3}', 'message:unnamed two']);
  });

  test('message events read as MessageEvents: instanceof, toString, every attribute, for…in', async () => {
    const seen = await page.evaluate(async () => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource('/sse/named');
      const event = await new Promise((resolve, reject) => {
        source.addEventListener('ping', (e) => {
          // [DOM] initEvent does nothing while the event is being dispatched; initMessageEvent follows it.
          e.initMessageEvent('changed', false, false, 'changed');
          resolve({ e, target: e.target === source, currentTarget: e.currentTarget === source, phase: e.eventPhase, duringDispatch: { type: e.type, data: e.data } });
        });
        source.onerror = () => reject(new Error('error event'));
        setTimeout(() => reject(new Error('timed out')), 4000);
      });
      source.close();
      const { e } = event;
      // What for…in lists on each, and whether reading every listed property throws.
      const listed = (ev) => {
        const names = [];
        for (const name in ev) names.push(name);
        return names.sort();
      };
      const copy = {};
      let readError = null;
      try {
        for (const name in e) copy[name] = e[name];
      } catch (error) {
        readError = String(error);
      }
      return {
        ...event,
        e: undefined,
        isMessageEvent: e instanceof MessageEvent,
        isEvent: e instanceof Event,
        tag: Object.prototype.toString.call(e),
        type: e.type,
        data: e.data,
        origin: e.origin,
        lastEventId: e.lastEventId,
        source: e.source,
        ports: { isArray: Array.isArray(e.ports), length: e.ports.length, frozen: Object.isFrozen(e.ports), same: e.ports === e.ports },
        userActivation: 'userActivation' in MessageEvent.prototype ? e.userActivation : null,
        listed: listed(e),
        listedOnReal: listed(new MessageEvent('ping', { data: 'x' })),
        readError,
        copied: { data: copy.data, type: copy.type, isTrusted: copy.isTrusted },
        // A fresh one, never dispatched, takes the legacy initialiser's values.
        fresh: (() => {
          const f = new e.constructor('x', 'y', 'o', 'i');
          f.initMessageEvent('ping', true, false, 'd', 'https://o.example', '7');
          return { type: f.type, bubbles: f.bubbles, data: f.data, origin: f.origin, lastEventId: f.lastEventId };
        })(),
      };
    });
    assert.deepEqual(seen, {
      target: true,
      currentTarget: true,
      phase: 2,
      duringDispatch: { type: 'ping', data: 'named ping' },
      e: undefined,
      isMessageEvent: true,
      isEvent: true,
      tag: '[object MessageEvent]',
      type: 'ping',
      data: 'named ping',
      origin: server.url,
      lastEventId: '2',
      source: null,
      ports: { isArray: true, length: 0, frozen: true, same: true },
      userActivation: null,
      listed: seen.listedOnReal,
      listedOnReal: seen.listedOnReal,
      readError: null,
      copied: { data: 'named ping', type: 'ping', isTrusted: false },
      fresh: { type: 'ping', bubbles: true, data: 'd', origin: 'https://o.example', lastEventId: '7' },
    });
    assert.ok(seen.listedOnReal.includes('data') && seen.listedOnReal.includes('ports'), 'a real MessageEvent lists its attributes');
  });

  test('listeners behave as under the browser dispatch: order, once, signal, handleEvent, changes mid-dispatch, stopImmediatePropagation', async () => {
    const seen = await page.evaluate(async () => {
      const { EventSource } = await import('/pkg/index.js');
      // The same listeners on `target`, logging what each sees. Returns the log and a
      // function that logs the state a finished dispatch left on the last event.
      const script = (target) => {
        const log = [];
        const controller = new AbortController();
        let last = null;
        const state = (e) => [e.target === target, e.currentTarget === target ? 'target' : e.currentTarget, e.eventPhase, e.composedPath().length];
        const afterLast = () => last && log.push(`after ${last.data}: ${JSON.stringify(state(last))}`);
        function first(e) {
          afterLast();
          last = e;
          log.push(`first ${e.type} ${e.data} this=${this === target} ${JSON.stringify(state(e))}`);
        }
        target.addEventListener('message', first);
        target.addEventListener('message', first); // a duplicate: ignored
        target.addEventListener('message', first, { capture: true }); // another capture flag: a second listener
        const object = {
          handleEvent(e) {
            log.push(`object ${e.data} this=${this === object}`);
          },
        };
        target.addEventListener('message', object);
        target.addEventListener('message', (e) => log.push(`once ${e.data}`), { once: true });
        target.addEventListener('message', (e) => log.push(`signal ${e.data}`), { signal: controller.signal });
        const late = (e) => log.push(`late ${e.data}`);
        const doomed = (e) => log.push(`doomed ${e.data}`);
        target.addEventListener('message', (e) => {
          if (e.data === 'unnamed one') controller.abort();
          if (e.data === 'explicitly message') {
            target.removeEventListener('message', doomed);
            target.removeEventListener('message', first, true);
            target.addEventListener('message', late); // not called for this event
          }
        });
        target.addEventListener('message', doomed);
        target.addEventListener('ping', (e) => {
          afterLast();
          last = e;
          log.push(`ping ${e.data}`);
          e.stopPropagation(); // at the target, the other listeners still run
        });
        target.addEventListener('ping', (e) => {
          log.push(`ping 2 ${e.data}`);
          e.stopImmediatePropagation();
        });
        target.addEventListener('ping', (e) => log.push(`ping 3 ${e.data}`));
        target.addEventListener('update', (e) => {
          afterLast();
          last = e;
          log.push(`update ${e.data}`);
          // Dispatching it again while it is dispatched fails.
          try {
            target.dispatchEvent(e);
          } catch (error) {
            log.push(`again: ${error.name}`);
          }
        });
        // What the browser refuses, refused alike.
        for (const [what, call] of [
          ['signal', () => target.addEventListener('ping', () => {}, { signal: 1 })],
          ['callback', () => target.addEventListener('ping', 5)],
          ['event', () => target.dispatchEvent(null)],
        ]) {
          try {
            call();
            log.push(`${what}: accepted`);
          } catch (error) {
            log.push(`${what}: ${error.name}`);
          }
        }
        return { log, afterLast };
      };
      const events = [
        ['message', 'unnamed one'],
        ['ping', 'named ping'],
        ['message', 'explicitly message'],
        ['update', '{"n":3}'],
        ['message', 'unnamed two'],
      ];

      // The browser's own dispatch.
      const plain = new EventTarget();
      const browser = script(plain);
      for (const [type, data] of events) plain.dispatchEvent(new MessageEvent(type, { data }));
      browser.afterLast();
      plain.dispatchEvent(new Event('ping'));

      const source = new EventSource('/sse/named');
      const ours = script(source);
      let received = null;
      source.addEventListener('update', (e) => (received = e));
      await new Promise((resolve, reject) => {
        source.addEventListener('message', (e) => e.data === 'unnamed two' && setTimeout(resolve));
        source.onerror = () => reject(new Error('error event'));
        setTimeout(() => reject(new Error(`timed out: ${ours.log.join(' | ')}`)), 4000);
      });
      source.close();
      ours.afterLast();
      // An event the app dispatches reaches the same listeners.
      source.dispatchEvent(new Event('ping'));
      const oursLog = [...ours.log];
      // A received event dispatched again elsewhere, by the browser, then at the source.
      const other = new EventTarget();
      const redispatched = [];
      other.addEventListener('update', (e) => redispatched.push([e.target === other, e.currentTarget === other, e.eventPhase, e.data]));
      other.dispatchEvent(received);
      redispatched.push([received.target === other, received.currentTarget, received.eventPhase]);
      source.addEventListener('update', (e) => redispatched.push([e.target === source, e.currentTarget === source, e.eventPhase, e.data]));
      source.dispatchEvent(received);
      // Stopped before it is dispatched: at a target in no tree, stopPropagation() stops no
      // listener, stopImmediatePropagation() every one, at a plain target and at the source.
      const stoppedEarly = [];
      for (const [target, make] of [
        [other, (data) => new MessageEvent('early', { data })],
        [source, (data) => new received.constructor('early', data, '', '')],
      ]) {
        target.addEventListener('early', (e) => stoppedEarly.push(e.data));
        for (const stop of ['stopPropagation', 'stopImmediatePropagation']) {
          const event = make(`${stop} at ${target === source ? 'source' : 'plain'}`);
          event[stop]();
          stoppedEarly.push(target.dispatchEvent(event));
        }
      }
      return { browser: browser.log, ours: oursLog, redispatched, stoppedEarly };
    });
    // The script saw what it set out to test.
    assert.ok(seen.browser.includes('once unnamed one') && !seen.browser.includes('once unnamed two'));
    assert.ok(seen.browser.includes('late unnamed two') && !seen.browser.includes('late explicitly message'));
    assert.ok(seen.browser.includes('ping 2 named ping') && !seen.browser.includes('ping 3 named ping'));
    assert.ok(seen.browser.includes('again: InvalidStateError'));
    assert.ok(seen.browser.includes('after unnamed two: [true,null,0,0]'));
    assert.deepEqual(seen.browser.slice(0, 3), ['signal: TypeError', 'callback: TypeError', 'event: TypeError']);
    assert.deepEqual(seen.ours, seen.browser);
    assert.deepEqual(seen.stoppedEarly, ['stopPropagation at plain', true, true, 'stopPropagation at source', true, true]);
    assert.deepEqual(seen.redispatched, [
      [true, true, 2, '{"n":3}'],
      [true, null, 0],
      [true, true, 2, '{"n":3}'],
    ]);
  });

  test('with zone.js (Angular), every listener runs in the zone that added it', async () => {
    // zone.js patches the page's globals: a page of its own.
    const zonePage = await openPage(browser, server.url);
    try {
      await zonePage.addScriptTag({ path: new URL('../../node_modules/zone.js/bundles/zone.umd.js', import.meta.url).pathname });
      const seen = await zonePage.evaluate(async () => {
        const { EventSource } = await import('/pkg/index.js');
        const created = Zone.current.fork({ name: 'created' });
        const listening = Zone.current.fork({ name: 'listening' });
        const seen = [];
        let source;
        created.run(() => (source = new EventSource('/sse/named')));
        const done = new Promise((resolve, reject) => {
          listening.run(() => {
            source.onmessage = (e) => seen.push(`onmessage ${e.data}: ${Zone.current.name}`);
            source.addEventListener('ping', (e) => seen.push(`ping ${e.data}: ${Zone.current.name}`));
            source.addEventListener('message', (e) => e.data === 'unnamed two' && resolve());
            source.onerror = () => reject(new Error('error event'));
          });
          setTimeout(() => reject(new Error(`timed out: ${seen.join(' | ')}`)), 4000);
        });
        await done;
        source.close();
        return seen;
      });
      assert.deepEqual(seen, [
        'onmessage unnamed one: listening',
        'ping named ping: listening',
        'onmessage explicitly message: listening',
        'onmessage unnamed two: listening',
      ]);
    } finally {
      await zonePage.close();
    }
  });

  test('an exception in a listener is reported to the page and does not stop the stream', async () => {
    const key = freshKey('throwing-listener');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const reported = [];
      const onWindowError = (e) => {
        reported.push(e.error?.message ?? e.message);
        e.preventDefault();
      };
      window.addEventListener('error', onWindowError);
      try {
        const source = new EventSource(`/sse/named?key=${key}`);
        const log = record(source, ['ping', 'update']);
        const handled = [];
        source.onmessage = (e) => {
          handled.push(e.data);
          throw new Error(`listener failed on ${e.data}`);
        };
        const after = [];
        source.addEventListener('message', (e) => after.push(e.data));
        await log.until((events) => events.some((e) => e.data === 'unnamed two') || events.some((e) => e.type === 'error'), 'the last event');
        // Anything that fails the connection would show up as an error event by now.
        await sleep(100);
        const state = source.readyState;
        source.close();
        return { types: log.events.map((e) => (e.type === 'open' ? 'open' : `${e.type}:${e.data ?? e.reason}`)), handled, after, reported, state };
      } finally {
        window.removeEventListener('error', onWindowError);
      }
    }, key);
    assert.deepEqual(seen.types, [
      'open',
      'message:unnamed one',
      'ping:named ping',
      'message:explicitly message',
      'update:{"n":3}',
      'message:unnamed two',
    ]);
    assert.deepEqual(seen.handled, ['unnamed one', 'explicitly message', 'unnamed two']);
    assert.deepEqual(seen.after, ['unnamed one', 'explicitly message', 'unnamed two']);
    assert.deepEqual(seen.reported, ['listener failed on unnamed one', 'listener failed on explicitly message', 'listener failed on unnamed two']);
    assert.equal(seen.state, 1);
    assert.equal(server.log(key).length, 1);
  });

  test('an OpenAI-style chat stream: the deltas up to [DONE] make the reply', async () => {
    const key = freshKey('openai');
    const request = { model: 'test', stream: true, messages: [{ role: 'user', content: 'Say hello' }] };
    const seen = await page.evaluate(
      async ({ key, request }) => {
        const { EventSource } = await import('/pkg/index.js');
        const source = new EventSource(`/sse/openai?key=${key}`, { json: request, retry: 60000 });
        const log = record(source);
        let reply = '';
        let done = false;
        source.onmessage = (e) => {
          if (e.data === '[DONE]') {
            done = true;
            source.close();
            return;
          }
          reply += JSON.parse(e.data).choices[0].delta.content ?? '';
        };
        await log.until(() => done || log.of('error').length > 0, '[DONE]');
        await sleep(100);
        return { reply, done, errors: log.of('error'), messages: log.of('message').length, closeReason: source.closeReason };
      },
      { key, request },
    );
    assert.equal(seen.reply, 'Hello, world!');
    assert.equal(seen.done, true);
    assert.equal(seen.messages, 6);
    assert.deepEqual(seen.errors, []);
    assert.equal(seen.closeReason, 'closed');
    const log = server.log(key);
    assert.equal(log.length, 1);
    assert.equal(log[0].method, 'POST');
    assert.deepEqual(JSON.parse(log[0].body), request);
  });
});

describe('reconnection', () => {
  test('a dropped stream resumes from Last-Event-ID with no loss and no duplicate', async () => {
    const key = freshKey('resume');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/resume?key=${key}&total=9&dropAfter=3&retry=100`);
      const log = record(source);
      await log.until(() => source.readyState === EventSource.CLOSED, 'the source to close', 10000);
      return { events: log.events, readyState: source.readyState, closeReason: source.closeReason };
    }, key);
    const messages = seen.events.filter((e) => e.type === 'message');
    assert.deepEqual(
      messages.map((e) => e.data),
      ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    );
    assert.deepEqual(
      messages.map((e) => e.lastEventId),
      ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    );
    assert.equal(seen.readyState, 2);
    assert.equal(seen.closeReason, 'no_content');

    // Each error with the last event ID the client had received when it fired.
    let lastId = null;
    const errors = [];
    for (const e of seen.events) {
      if (e.type === 'message') lastId = e.lastEventId;
      if (e.type === 'error') errors.push({ ...e, lastId });
    }
    const retries = errors.slice(0, -1);
    const final = errors.at(-1);
    assert.equal(final.reason, 'no_content');
    assert.equal(final.willRetry, false);
    assert.equal(final.code, 204);
    assert.equal(final.readyState, 2);
    assert.equal(final.lastId, '9');
    // The cut connections fail with network errors; the one that sends event 9 ends
    // cleanly, and the client reconnects after it too.
    assert.deepEqual(
      retries.map((e) => e.reason),
      [...Array(retries.length - 1).fill('network'), 'end_of_stream'],
    );
    for (const e of retries) {
      assert.equal(e.willRetry, true);
      assert.equal(e.readyState, 0);
      // The server's `retry: 100` precedes event 1; only a cut that lost every byte of
      // the first response leaves the default 3000 ms in place.
      if (e.lastId !== null) assert.equal(e.retryIn, 100);
      else assert.ok(e.retryIn === 100 || e.retryIn === 3000, `retryIn ${e.retryIn}`);
    }
    assert.equal(seen.events.filter((e) => e.type === 'open').length, retries.length);
    // Every reconnection sends the ID of the last event the client received. That is
    // [null, '3', '6', '9'] when each cut connection delivered its three events; under
    // load Chromium can discard a response's last chunk when the connection is cut right
    // after it (plain fetch does the same), and the client then resumes from the event before.
    const ids = server.log(key).map((entry) => entry.lastEventId);
    assert.deepEqual(ids, [null, ...retries.map((e) => e.lastId)]);
    if (ids.length === 4) assert.deepEqual(ids, [null, '3', '6', '9']);
  });

  test('the README\'s recipe for servers that read the ID from a lastEventId query parameter', async () => {
    const key = freshKey('query-id');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/stalled?key=${key}&retry=50`, {
        idleTimeout: 300, // /sse/stalled goes silent after one event: this reconnects
        fetch: (url, init) => {
          const id = init.headers.get('last-event-id');
          if (id === null) return fetch(url, init);
          const withId = new URL(url, location.href);
          withId.searchParams.set('lastEventId', id);
          return fetch(withId, init);
        },
      });
      const log = record(source);
      await log.until(() => log.events.some((e) => e.data === 'event 2'), 'the event after the reconnect');
      source.close();
      return log.events.filter((e) => e.type === 'message').map((e) => e.lastEventId);
    }, key);
    assert.deepEqual(seen, ['1', '2']);
    const [first, second] = server.log(key);
    assert.equal(first.query.lastEventId, undefined);
    assert.equal(second.query.lastEventId, '1');
    assert.equal(second.lastEventId, '1', 'the header is sent as well');
  });

  test('204 closes the source without reconnecting', async () => {
    const key = freshKey('204');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/status?code=204&key=${key}`);
      const log = record(source);
      await log.until((events) => events.length > 0, 'an event');
      await sleep(500);
      return { events: log.events, readyState: source.readyState, closeReason: source.closeReason };
    }, key);
    assert.equal(seen.events.length, 1, `unexpected events ${JSON.stringify(seen.events)}`);
    const [error] = seen.events;
    assert.equal(error.type, 'error');
    assert.equal(error.reason, 'no_content');
    assert.equal(error.code, 204);
    assert.equal(error.willRetry, false);
    assert.equal(error.retryIn, undefined);
    assert.equal(error.readyState, 2);
    assert.equal(error.error.name, 'SseError');
    assert.equal(error.error.reason, 'no_content');
    assert.equal(seen.readyState, 2);
    assert.equal(seen.closeReason, 'no_content');
    assert.equal(server.log(key).length, 1);
  });

  test('a 500 fails the connection for good, with the status, type and body', async () => {
    const key = freshKey('500');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/status?code=500&key=${key}`);
      const log = record(source);
      await log.until((events) => events.length > 0, 'an event');
      await sleep(400);
      return { events: log.events, readyState: source.readyState, closeReason: source.closeReason };
    }, key);
    assert.equal(seen.events.length, 1, `unexpected events ${JSON.stringify(seen.events)}`);
    const [event] = seen.events;
    assert.equal(event.type, 'error');
    assert.equal(event.reason, 'status');
    assert.equal(event.code, 500);
    assert.equal(event.willRetry, false);
    assert.equal(event.readyState, 2);
    assert.match(event.message, /500/);
    assert.equal(event.error.name, 'SseError');
    assert.equal(event.error.isError, true);
    assert.equal(event.error.reason, 'status');
    assert.equal(event.error.status, 500);
    assert.ok(event.error.body.includes('<h1>Server error</h1>'), `body ${JSON.stringify(event.error.body)}`);
    assert.match(event.error.contentType, /^text\/html\b/);
    assert.equal(event.error.retryable, true);
    assert.equal(seen.readyState, 2);
    assert.equal(seen.closeReason, 'status');
    assert.equal(server.log(key).length, 1);
  });

  test('200 that is not text/event-stream fails the connection with content_type', async () => {
    const key = freshKey('html-200');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/status?code=200&type=text/html&key=${key}`);
      const log = record(source);
      await log.until((events) => events.length > 0, 'an event');
      await sleep(300);
      return { events: log.events, readyState: source.readyState, closeReason: source.closeReason };
    }, key);
    assert.equal(seen.events.length, 1, `unexpected events ${JSON.stringify(seen.events)}`);
    const [event] = seen.events;
    assert.equal(event.type, 'error');
    assert.equal(event.reason, 'content_type');
    assert.equal(event.code, 200);
    assert.equal(event.willRetry, false);
    assert.equal(event.readyState, 2);
    assert.equal(event.error.contentType, 'text/html');
    assert.ok(event.error.body.includes('<h1>Server error</h1>'));
    assert.equal(seen.readyState, 2);
    assert.equal(seen.closeReason, 'content_type');
    assert.equal(server.log(key).length, 1);
  });

  test('retryStatuses retries a 503 after its Retry-After', async () => {
    const key = freshKey('flaky');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/flaky?key=${key}&failures=1&code=503&retryAfter=1`, { retry: { retryStatuses: [503] } });
      const log = record(source);
      await log.until(() => log.of('message').length > 0 || source.readyState === EventSource.CLOSED, 'the message', 5000);
      source.close();
      return log.events;
    }, key);
    assert.deepEqual(
      seen.map((e) => e.type),
      ['error', 'open', 'message'],
      `unexpected events ${JSON.stringify(seen)}`,
    );
    const [error, open, message] = seen;
    assert.equal(error.reason, 'status');
    assert.equal(error.code, 503);
    assert.equal(error.willRetry, true);
    assert.equal(error.retryIn, 1000);
    assert.equal(error.attempt, 1);
    assert.equal(error.readyState, 0);
    assert.equal(error.error.body, 'unavailable');
    assert.equal(open.readyState, 1);
    assert.equal(message.data, 'connected after 1 failures');
    assert.equal(message.lastEventId, 'ok');
    const log = server.log(key);
    assert.equal(log.length, 2);
    const gap = log[1].at - log[0].at;
    assert.ok(gap >= 900 && gap <= 2000, `the retry came ${gap} ms after the first request`);
  });

  test('backoff grows to its cap, then max_retries stops the source', async () => {
    const key = freshKey('backoff');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/status?code=503&key=${key}`, {
        retry: { reconnectionTime: 50, backoff: { factor: 2, maxDelay: 400, jitter: 0 }, retryStatuses: [503], maxAttempts: 5 },
      });
      const log = record(source);
      await log.until(() => source.readyState === EventSource.CLOSED, 'the source to give up', 5000);
      return { errors: log.of('error'), count: log.events.length, closeReason: source.closeReason };
    }, key);
    assert.equal(seen.count, 6, 'only error events');
    const retries = seen.errors.slice(0, 5);
    assert.deepEqual(
      retries.map((e) => e.retryIn),
      [50, 100, 200, 400, 400],
    );
    assert.deepEqual(
      retries.map((e) => e.attempt),
      [1, 2, 3, 4, 5],
    );
    for (const e of retries) {
      assert.equal(e.willRetry, true);
      assert.equal(e.reason, 'status');
      assert.equal(e.code, 503);
      assert.equal(e.readyState, 0);
    }
    const last = seen.errors[5];
    assert.equal(last.reason, 'max_retries');
    assert.equal(last.willRetry, false);
    assert.equal(last.code, 503);
    assert.equal(last.error.attempts, 5);
    assert.equal(last.readyState, 2);
    assert.equal(seen.closeReason, 'max_retries');
    await sleep(100);
    const log = server.log(key);
    assert.equal(log.length, 6);
    // The client really waits each delay before the next request.
    const gaps = log.slice(1).map((entry, i) => entry.at - log[i].at);
    gaps.forEach((gap, i) => {
      const delay = retries[i].retryIn;
      assert.ok(gap >= delay - 10 && gap < delay + 500, `request ${i + 2} came ${gap} ms after the previous one; the delay was ${delay} ms`);
    });
  });

  test('backoff with jitter: each delay is within [delay/2, delay] and under the cap', async () => {
    const key = freshKey('jitter');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/status?code=503&key=${key}`, {
        retry: { reconnectionTime: 50, backoff: { factor: 2, maxDelay: 400, jitter: 0.5 }, retryStatuses: [503], maxAttempts: 5 },
      });
      const log = record(source);
      await log.until(() => source.readyState === EventSource.CLOSED, 'the source to give up', 5000);
      return { errors: log.of('error'), closeReason: source.closeReason };
    }, key);
    const nominal = [50, 100, 200, 400, 400];
    const retries = seen.errors.slice(0, 5);
    assert.equal(retries.length, 5);
    retries.forEach((e, i) => {
      assert.equal(e.willRetry, true);
      assert.ok(e.retryIn >= nominal[i] / 2 && e.retryIn <= nominal[i] && e.retryIn <= 400, `retryIn ${e.retryIn} for a nominal ${nominal[i]}`);
    });
    assert.equal(seen.errors.length, 6);
    assert.equal(seen.errors[5].reason, 'max_retries');
    assert.equal(seen.closeReason, 'max_retries');
    await sleep(100);
    assert.equal(server.log(key).length, 6);
  });

  test('a retry: longer than a timer can wait is reported as the wait it is (2^31-1 ms)', async () => {
    const key = freshKey('huge-retry');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/resume?total=5&dropAfter=1&retry=99999999999&key=${key}`);
      const retryIn = await new Promise((resolve) => (source.onerror = (e) => resolve(e.retryIn)));
      source.close();
      return retryIn;
    }, key);
    assert.equal(seen, 2 ** 31 - 1);
  });
});

describe('stopping', () => {
  // Runs in the page: a ticking stream stopped after two messages by `how`.
  async function stopForever({ key, how }) {
    const { EventSource } = await import('/pkg/index.js');
    const controller = new AbortController();
    const source = new EventSource(`/sse/forever?key=${key}`, { signal: controller.signal });
    const log = record(source);
    await log.until(() => log.of('message').length >= 2, 'two messages');
    if (how === 'abort') controller.abort();
    else source.close();
    const state = source.readyState;
    const seenAtStop = log.events.length;
    await sleep(300);
    return { events: log.events, seenAtStop, state, closeReason: source.closeReason };
  }

  async function assertStreamStopped(key, seen, closeReason) {
    assert.equal(seen.state, 2);
    assert.equal(seen.closeReason, closeReason);
    assert.equal(seen.events.length, seen.seenAtStop, `events after the stop: ${JSON.stringify(seen.events.slice(seen.seenAtStop))}`);
    assert.deepEqual(seen.events.filter((e) => e.type === 'error'), []);
    assert.deepEqual(seen.events.filter((e) => e.type === 'message').slice(0, 2).map((e) => e.data), ['tick 1', 'tick 2']);
    await until(() => server.log(key)[0]?.closedAt != null, 'the server to see the stream closed');
    assert.equal(server.log(key).length, 1);
  }

  test('aborting the signal closes the stream', async () => {
    const key = freshKey('abort');
    const seen = await page.evaluate(stopForever, { key, how: 'abort' });
    await assertStreamStopped(key, seen, 'aborted');
  });

  test('close() closes the stream without an error event', async () => {
    const key = freshKey('close');
    const seen = await page.evaluate(stopForever, { key, how: 'close' });
    await assertStreamStopped(key, seen, 'closed');
  });

  // Runs in the page: a stream that ends after one event, stopped by `how` in the first
  // error event, while the reconnect is pending.
  async function stopPendingReconnect({ key, how }) {
    const { EventSource } = await import('/pkg/index.js');
    const controller = new AbortController();
    const source = new EventSource(`/sse/end?count=1&key=${key}`, { retry: 400, signal: controller.signal });
    const log = record(source);
    source.onerror = () => {
      if (how === 'abort') controller.abort();
      else source.close();
    };
    await log.until(() => log.of('error').length > 0, 'the end of the stream');
    await sleep(800);
    return { events: log.events, readyState: source.readyState, closeReason: source.closeReason };
  }

  async function assertNoReconnect(key, seen, closeReason) {
    assert.deepEqual(
      seen.events.map((e) => e.type),
      ['open', 'message', 'error'],
    );
    const error = seen.events[2];
    assert.equal(error.reason, 'end_of_stream');
    assert.equal(error.willRetry, true);
    assert.equal(error.retryIn, 400);
    assert.equal(seen.readyState, 2);
    assert.equal(seen.closeReason, closeReason);
    assert.equal(server.log(key).length, 1);
  }

  test('close() during a pending reconnect cancels it', async () => {
    const key = freshKey('close-pending');
    const seen = await page.evaluate(stopPendingReconnect, { key, how: 'close' });
    await assertNoReconnect(key, seen, 'closed');
  });

  test('aborting during a pending reconnect cancels it', async () => {
    const key = freshKey('abort-pending');
    const seen = await page.evaluate(stopPendingReconnect, { key, how: 'abort' });
    await assertNoReconnect(key, seen, 'aborted');
  });

  test('a signal aborted before construction sends no request', async () => {
    const key = freshKey('pre-aborted');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/echo?key=${key}`, { signal: AbortSignal.abort() });
      const log = record(source, ['request']);
      const state = source.readyState;
      const reason = source.closeReason;
      await sleep(300);
      return { state, reason, events: log.events, readyState: source.readyState, closeReason: source.closeReason };
    }, key);
    assert.equal(seen.state, 2);
    assert.equal(seen.reason, 'aborted');
    assert.equal(seen.readyState, 2);
    assert.equal(seen.closeReason, 'aborted');
    assert.deepEqual(seen.events, []);
    assert.deepEqual(server.log(key), []);
  });
});

describe('async iteration', () => {
  test('yields every message event in order; leaving the loop closes the source', async () => {
    const key = freshKey('iterate');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/named?key=${key}`);
      const events = [];
      for await (const ev of source) {
        events.push({ type: ev.type, data: ev.data, lastEventId: ev.lastEventId, isMessageEvent: ev instanceof MessageEvent });
        if (events.length === 4) break;
      }
      return { events, readyState: source.readyState, closeReason: source.closeReason };
    }, key);
    assert.deepEqual(seen.events, [
      { type: 'message', data: 'unnamed one', lastEventId: '1', isMessageEvent: true },
      { type: 'ping', data: 'named ping', lastEventId: '2', isMessageEvent: true },
      { type: 'message', data: 'explicitly message', lastEventId: '2', isMessageEvent: true },
      { type: 'update', data: '{"n":3}', lastEventId: '2', isMessageEvent: true },
    ]);
    assert.equal(seen.readyState, 2);
    assert.equal(seen.closeReason, 'closed');
    await until(() => server.log(key)[0]?.closedAt != null, 'the server to see the stream closed');
    assert.equal(server.log(key).length, 1);
  });

  test('a fatal error makes the loop throw the SseError', async () => {
    const key = freshKey('iterate-500');
    const seen = await page.evaluate(async (key) => {
      const { EventSource, SseError } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/status?code=500&key=${key}`);
      const events = [];
      try {
        for await (const ev of source) events.push(ev.data);
        return { threw: false, events };
      } catch (error) {
        return {
          threw: true,
          events,
          isSseError: error instanceof SseError,
          name: error.name,
          reason: error.reason,
          status: error.status,
          readyState: source.readyState,
        };
      }
    }, key);
    assert.deepEqual(seen, { threw: true, events: [], isSseError: true, name: 'SseError', reason: 'status', status: 500, readyState: 2 });
    assert.equal(server.log(key).length, 1);
  });
});

describe('async iteration, as an async generator would', () => {
  test('a listener closing the source mid-chunk: the loop gets the events dispatched before close(), then ends', async () => {
    const key = freshKey('iterate-close-in-listener');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      // Events 1 to 5 come in one chunk; the listener closes the source at 3.
      const source = new EventSource(`/sse/resume?total=5&burst=1&key=${key}`);
      const heard = [];
      source.onmessage = (e) => {
        heard.push(e.data);
        if (e.data === '3') source.close();
      };
      const looped = [];
      for await (const ev of source) looped.push(ev.data);
      return { heard, looped, readyState: source.readyState, closeReason: source.closeReason };
    }, key);
    assert.deepEqual(seen, { heard: ['1', '2', '3'], looped: ['1', '2', '3'], readyState: 2, closeReason: 'closed' });
  });

  test('a loop started after a fatal error throws it, as one started before does', async () => {
    const key = freshKey('iterate-after-500');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/status?code=500&key=${key}`);
      await new Promise((resolve) => source.addEventListener('error', resolve));
      try {
        for await (const ev of source) void ev;
        return { threw: false };
      } catch (error) {
        return { threw: true, name: error.name, reason: error.reason, status: error.status };
      }
    }, key);
    assert.deepEqual(seen, { threw: true, name: 'SseError', reason: 'status', status: 500 });
  });

  test('next() calls made before earlier ones settle get the events in order; after return() it is done', async () => {
    const key = freshKey('iterate-next');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/named?key=${key}`);
      const it = source[Symbol.asyncIterator]();
      const pair = await Promise.race([
        Promise.all([it.next(), it.next()]).then((results) => results.map((r) => r.value.data)),
        sleep(3000).then(() => 'timed out'),
      ]);
      await sleep(100); // more events queue up
      const returned = await it.return();
      const next = await it.next();
      return { pair, returned, next: { done: next.done, value: next.value }, readyState: source.readyState };
    }, key);
    assert.deepEqual(seen, {
      pair: ['unnamed one', 'named ping'],
      returned: { value: undefined, done: true },
      next: { done: true, value: undefined },
      readyState: 2,
    });
  });

  test('an iterator made and never used holds back no loop: it takes events only from its first next()', async () => {
    const key = freshKey('iterate-unused');
    const seen = await page.evaluate(async (key) => {
      const { EventSource } = await import('/pkg/index.js');
      const source = new EventSource(`/sse/flood?count=3000&size=10&key=${key}`);
      const unused = source[Symbol.asyncIterator]();
      let got = 0;
      const loop = (async () => {
        for await (const ev of source) {
          void ev;
          if (++got === 3000) break;
        }
      })();
      await Promise.race([loop, sleep(5000)]);
      return { got, unused: typeof unused.next };
    }, key);
    assert.deepEqual(seen, { got: 3000, unused: 'function' });
  });
});

describe("as the browser's EventSource, side by side in one page", () => {
  // Runs `scenario(EventSourceClass, key)` with the browser's class and with this one.
  async function both(scenario, key) {
    return page.evaluate(
      async ({ source, key }) => {
        const { EventSource } = await import('/pkg/index.js');
        const scenario = eval(`(${source})`);
        return { browser: await scenario(globalThis.EventSource, `${key}-browser`), ours: await scenario(EventSource, `${key}-ours`) };
      },
      { source: scenario.toString(), key },
    );
  }

  test('a handler attribute set, set to null and set again is one listener, moved to the end', async () => {
    const seen = await both(async (ES, key) => {
      const source = new ES(`/sse/named?key=${key}`);
      const calls = [];
      source.onmessage = () => calls.push('first');
      source.addEventListener('message', (e) => calls.push(`listener ${e.data}`));
      source.onmessage = null;
      source.onmessage = (e) => calls.push(`handler ${e.data}`);
      let errors = 0;
      source.onerror = () => {};
      source.onerror = null;
      source.onerror = () => errors++;
      await sleep(400);
      source.close();
      return { calls, errors, onmessageIsNull: (source.onmessage = null) === null && source.onmessage === null };
    }, freshKey('handler-reset'));
    assert.deepEqual(seen.ours, seen.browser);
    assert.equal(seen.ours.calls[0], 'listener unnamed one');
  });

  test('an object with handleEvent as a handler attribute is kept but not called', async () => {
    const seen = await both(async (ES, key) => {
      const source = new ES(`/sse/named?key=${key}`);
      const calls = [];
      const handler = { handleEvent: (e) => calls.push(e.data) };
      source.onmessage = handler;
      await sleep(300);
      source.close();
      return { calls, kept: source.onmessage === handler };
    }, freshKey('handle-event-attribute'));
    assert.deepEqual(seen.ours, seen.browser);
    assert.deepEqual(seen.ours, { calls: [], kept: true });
  });

  test('the arguments as Web IDL converts them: no URL throws a TypeError, a null init is the default', async () => {
    const seen = await both(async (ES, key) => {
      const attempt = (make) => {
        try {
          const source = make();
          source.close();
          return `made, withCredentials ${source.withCredentials}`;
        } catch (error) {
          return error.name;
        }
      };
      return [attempt(() => new ES()), attempt(() => new ES(`/sse/named?key=${key}`, null)), attempt(() => new ES(`/sse/named?key=${key}`, undefined))];
    }, freshKey('arguments'));
    assert.deepEqual(seen.ours, seen.browser);
    assert.deepEqual(seen.ours, ['TypeError', 'made, withCredentials false', 'made, withCredentials false']);
  });

  test('events and readyState across a drop, a resume and a final 204', async () => {
    const seen = await both(async (ES, key) => {
      const source = new ES(`/sse/resume?total=3&dropAfter=2&retry=100&interval=20&key=${key}`);
      const log = [];
      source.onopen = () => log.push(`open ${source.readyState}`);
      source.onmessage = (e) => log.push(`message ${e.data} ${e.lastEventId} ${source.readyState}`);
      source.onerror = () => log.push(`error ${source.readyState}`);
      await sleep(1500);
      source.close();
      return log;
    }, freshKey('sequence'));
    assert.deepEqual(seen.ours, seen.browser);
    assert.deepEqual(seen.ours.at(-1), 'error 2');
  });
});

test('withCredentials says whether credentials go with the request, credentials: include too', async () => {
  const seen = await page.evaluate(async () => {
    const { EventSource } = await import('/pkg/index.js');
    const made = [{}, { withCredentials: true }, { credentials: 'include' }, { withCredentials: true, credentials: 'omit' }].map((init) => {
      const source = new EventSource('/sse/named', init);
      source.close();
      return source.withCredentials;
    });
    return made;
  });
  assert.deepEqual(seen, [false, true, true, false]);
});

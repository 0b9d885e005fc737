// A panic inside wasm, which should never happen, must not leave the page silently dead:
// every live source gets an error saying the engine failed and its connection closes, and
// sources and parsers created afterwards work on a fresh instance of the module. The panic
// is real: the package built with the `test-hooks` feature (target/pkg-test-hooks, built by
// `npm test`) panics on the comment `: wasm-sse test panic`, which /sse/panic sends.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { before, test } from 'node:test';
import { TEST_HOOKS_PKG } from '../../scripts/build.mjs';
import { serverAndBrowser } from '../support/pages.mjs';
import { keyMaker, sleep, until } from '../support/wait.mjs';

const live = serverAndBrowser();
const freshKey = keyMaker('engine-failure-');
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm' };

/**
 * A page with the test-hooks package as `globalThis.lib` (or the published one, with
 * `published`), recording page errors and console errors in `page.problems`.
 */
async function openPage({ published = false } = {}) {
  const page = await live.browser.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && page.problems.push(`console: ${m.text()}`));
  await page.route(`${live.server.url}/pkg-test-hooks/**`, (route) => {
    const path = new URL(route.request().url()).pathname.slice('/pkg-test-hooks/'.length);
    route.fulfill({ body: readFileSync(join(TEST_HOOKS_PKG, path)), contentType: TYPES[extname(path)] });
  });
  await page.goto(`${live.server.url}/blank`);
  await page.evaluate((dir) => import(`/${dir}/index.js`).then((lib) => (globalThis.lib = lib)), published ? 'pkg' : 'pkg-test-hooks');
  return page;
}

before(async () => {
  assert.ok(existsSync(join(TEST_HOOKS_PKG, 'wasm_sse_bg.wasm')), 'the test-hooks package is built (node scripts/build.mjs --test-hooks)');
  await live.ready;
});

/** Starts, in the page, an EventSource recording into `globalThis.log[name]`. */
function eventSource(page, name, url) {
  return page.evaluate(
    ([n, u]) => {
      const log = ((globalThis.log ??= {})[n] = []);
      const source = new lib.EventSource(u);
      source.onmessage = (e) => log.push(`message ${e.data}`);
      source.onerror = (e) => log.push(`error ${e.reason} willRetry=${e.willRetry} state=${source.readyState}: ${e.message}`);
      (globalThis.sources ??= {})[n] = source;
    },
    [name, url],
  );
}

const logOf = (page, name) => page.evaluate((n) => globalThis.log?.[n] ?? [], name);

test('a panic gives every live source an error saying the engine failed, closes their connections, and new sources work', async () => {
  const page = await openPage();
  const keys = { es: freshKey('es'), fes: freshKey('fes'), iter: freshKey('iter'), panic: freshKey('panic'), after: freshKey('after') };
  // Three sources of the three APIs, idle on streams that go silent after one event, and a
  // parser holding half an event: all live in the instance that is about to fail.
  await eventSource(page, 'es', `/sse/stalled?key=${keys.es}`);
  await page.evaluate((k) => {
    const log = (globalThis.log.fes = []);
    lib
      .fetchEventSource(`/sse/stalled?key=${k.fes}`, {
        onmessage: (m) => log.push(`message ${m.data}`),
        onerror: (e) => {
          log.push(`onerror ${e.reason}`);
          throw e; // stop, do not retry
        },
      })
      .then(
        () => log.push('resolved'),
        (e) => log.push(`rejected ${e.name} ${e.reason}`),
      );
    const iterated = (globalThis.log.iter = []);
    (async () => {
      try {
        for await (const e of new lib.EventSource(`/sse/stalled?key=${k.iter}`)) iterated.push(`message ${e.data}`);
        iterated.push('ended');
      } catch (e) {
        iterated.push(`threw ${e.name} ${e.reason}`);
      }
    })();
  }, keys);
  const parserBefore = await page.evaluate(async () => {
    globalThis.parser = await lib.createParser();
    return globalThis.parser.feed('data: half an ev');
  });
  assert.deepEqual(parserBefore, []);
  for (const name of ['es', 'fes', 'iter']) {
    await until(async () => (await logOf(page, name)).includes('message event 1'), `${name} to receive event 1`);
  }
  const [esRequest] = await live.server.waitForRequests(keys.es, 1);
  const [fesRequest] = await live.server.waitForRequests(keys.fes, 1);
  const [iterRequest] = await live.server.waitForRequests(keys.iter, 1);

  // The panic: a fourth source reads the comment that makes this build panic.
  await eventSource(page, 'panic', `/sse/panic?key=${keys.panic}`);
  const failedAt = Date.now();
  await until(async () => (await logOf(page, 'es')).length === 2, 'the idle EventSource to get its error');
  await until(async () => (await logOf(page, 'iter')).length === 2, 'the async iteration to end');
  await until(async () => (await logOf(page, 'fes')).length === 3, 'fetchEventSource to reject');

  const failed = /^error engine_failed willRetry=false state=2: wasm-sse: the engine failed \(panicked at .*a deliberate panic \(test-hooks build\)\)/;
  const panicLog = await logOf(page, 'panic');
  assert.match(panicLog.at(-1), failed, 'the source whose stream caused the panic');
  assert.match((await logOf(page, 'es'))[1], failed, 'an idle EventSource');
  assert.deepEqual(await logOf(page, 'iter'), ['message event 1', 'threw SseError engine_failed']);
  assert.deepEqual(await logOf(page, 'fes'), ['message event 1', 'onerror engine_failed', 'rejected SseError engine_failed']);
  const states = await page.evaluate(() => Object.values(globalThis.sources).map((s) => [s.readyState, s.closeReason]));
  assert.deepEqual(states, [
    [2, 'engine_failed'],
    [2, 'engine_failed'],
  ]);
  // The parser's state died with the instance: it says so instead of failing obscurely.
  const stale = await page.evaluate(() => {
    try {
      globalThis.parser.feed('ent\n\n');
      return 'no error';
    } catch (e) {
      return `${e.name} ${e.reason}`;
    }
  });
  assert.equal(stale, 'SseError engine_failed');

  // The dead instance's connections are closed by the client, not left to the server.
  const [panicRequest] = await live.server.waitForRequests(keys.panic, 1);
  for (const [name, request] of Object.entries({ esRequest, fesRequest, iterRequest, panicRequest })) {
    await until(() => request.closedAt !== null, `the server to see ${name}'s connection closed`, 2000);
    assert.ok(request.closedAt - failedAt < 2000, `${name} closed promptly`);
  }

  // The next source and the next parser run on a fresh instance.
  await eventSource(page, 'after', `/sse/stalled?key=${keys.after}`);
  await until(async () => (await logOf(page, 'after')).includes('message event 1'), 'a new source to receive its event');
  const fresh = await page.evaluate(async () => (await lib.createParser()).feed('data: fresh\n\n'));
  assert.deepEqual(fresh, [{ kind: 'event', type: 'message', data: 'fresh', lastEventId: '' }]);
  await page.evaluate(() => globalThis.sources.after.close());
  // Nothing of the dead instance runs later: no error surfaces in the page.
  await sleep(300);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('fetchEventSource without onerror retries after an engine failure, on the fresh instance, from Last-Event-ID', async () => {
  const page = await openPage();
  const key = freshKey('fes-retry');
  await page.evaluate((k) => {
    const log = (globalThis.log = []);
    const controller = new AbortController();
    globalThis.stop = () => controller.abort();
    lib.fetchEventSource(`/sse/panic?key=${k}`, { signal: controller.signal, onmessage: (m) => log.push(`${m.id}: ${m.data}`) });
  }, key);
  const [first, second] = await live.server.waitForRequests(key, 2, 5000);
  await until(async () => (await page.evaluate(() => globalThis.log.length)) === 2, 'event 2 after the retry');
  assert.deepEqual(await page.evaluate(() => globalThis.log), ['1: event 1', '2: event 2']);
  assert.equal(first.lastEventId, null);
  assert.equal(second.lastEventId, '1');
  // 2.0.1's default retry interval: 1 s.
  assert.ok(second.at - first.at >= 1000, `retried after the interval (${second.at - first.at} ms)`);
  await page.evaluate(() => globalThis.stop());
  await until(() => second.closedAt !== null, 'the server to see the connection closed');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a panic inside the parser API throws an SseError, and parsing goes on with a new parser', async () => {
  const page = await openPage();
  const outcome = await page.evaluate(async () => {
    const parser = await lib.createParser();
    const results = [];
    try {
      parser.feed(': wasm-sse test panic\n\n');
      results.push('no error');
    } catch (e) {
      results.push(`${e.name} ${e.reason}`);
    }
    parser.free(); // a no-op now, and no throw
    try {
      for await (const item of lib.parseEventStream(new Response('data: a\n\n: wasm-sse test panic\n\n'))) results.push(item.data);
    } catch (e) {
      results.push(`${e.name} ${e.reason}`);
    }
    const again = await lib.createParser();
    results.push(again.feed('data: again\n\n').map((item) => item.data).join());
    return results;
  });
  // parseEventStream's one chunk holds both: the panic loses the whole chunk's batch.
  assert.deepEqual(outcome, ['SseError engine_failed', 'SseError engine_failed', 'again']);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the published package has no such trigger: the comment is only a comment', async () => {
  const page = await openPage({ published: true });
  const key = freshKey('published');
  await eventSource(page, 'published', `/sse/panic?key=${key}`);
  const [request] = await live.server.waitForRequests(key, 1);
  await until(() => Date.now() - request.at > 400, 'the comment to have been sent');
  assert.deepEqual(await logOf(page, 'published'), ['message event 1']);
  assert.equal(await page.evaluate(() => globalThis.sources.published.readyState), 1);
  await page.evaluate(() => globalThis.sources.published.close());
  assert.deepEqual(page.problems, []);
  await page.close();
});

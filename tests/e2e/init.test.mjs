// Loading the wasm: automatic on first use, or from where the user says; each test gets
// a fresh page, since the module is loaded once per page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage } from '../support/browser.mjs';
import { serverAndBrowser } from '../support/pages.mjs';

const live = serverAndBrowser();

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

// The page `npm start` serves, used as a person would: pick a stream, connect, watch, stop.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer } from '../../scripts/sse-server.mjs';
import { ROOT } from '../../scripts/toolchain.mjs';
import { launchBrowser } from '../support/browser.mjs';

const SHOTS = join(ROOT, 'test-output');
let server;
let browser;
let page;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.errors = errors;
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const rows = () => page.$$eval('#log tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)).reverse());

test('the demo shows each parsed item of a scenario with its type, id and data', async () => {
  await page.goto(`${server.url}/`);
  await page.selectOption('#url', '/sse/fields?delay=300');
  await page.click('#start');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'stream ended', null, { timeout: 10_000 });
  const seen = rows().then((r) => r.map(([, kind, type, id, data]) => [kind, type, id, data]));
  assert.deepEqual(await seen, [
    ['comment', '', '', 'heartbeat'],
    ['retry', '', '', '1500 ms'],
    ['event', 'greeting', '42', '{"hello":"world"}\n two spaces'],
    ['event', 'message', '42', '(empty data)'],
    ['event', 'message', '42', 'still 42'],
    ['event', 'message', '', 'no id'],
  ]);
  await page.screenshot({ path: join(SHOTS, 'demo-fields.png') });
  assert.deepEqual(page.errors, []);
});

test('the live ticker grows over time and Stop ends it, closing the stream at the server', async () => {
  await page.goto(`${server.url}/`);
  await page.click('#start');
  await page.waitForFunction(() => document.querySelectorAll('#log tr').length >= 4, null, { timeout: 10_000 });
  const early = (await rows()).length;
  await page.waitForFunction((n) => document.querySelectorAll('#log tr').length > n, early, { timeout: 10_000 });
  assert.ok((await rows()).length > early, 'more items arrive while connected');
  assert.equal(server.openStreams(), 1);
  await page.screenshot({ path: join(SHOTS, 'demo-ticker.png') });

  await page.click('#stop');
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'stopped');
  assert.equal(await server.streamsClosed(3000), 0, 'Stop closes the connection');
  assert.deepEqual(page.errors, []);
});

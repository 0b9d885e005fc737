// The Rust/Wasm example (examples/rust/), used as a person would: watch the ticker, ask a
// question, press Stop. Its wasm must be built first (`npm test` builds the examples).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { answerFor } from '../../scripts/demo-routes.mjs';
import { ROOT } from '../../scripts/toolchain.mjs';
import { SHOTS, checkClean, openWatched, serverAndBrowser } from '../support/pages.mjs';

const GLUE = join(ROOT, 'examples', 'rust', 'pkg', 'app.js');
const T = { timeout: 10_000 };
const live = serverAndBrowser();
let page;

const openExample = () => openWatched(live.browser, `${live.server.url}/examples/rust/`);
const text = (p, selector) => p.textContent(selector);
const count = async (p) => Number(await text(p, '#tick-count'));

before(async () => {
  if (!existsSync(GLUE)) {
    throw new Error(`${GLUE} is missing: build the Rust example first (node scripts/examples.mjs)`);
  }
  await live.ready;
  page = await openExample();
});

test('the ticker starts on load and its events appear and keep coming', async () => {
  await page.waitForFunction(() => Number(document.querySelector('#tick-count').textContent) >= 2, null, T);
  assert.equal(await text(page, '#tick-status'), 'connected');
  const early = await count(page);
  await page.waitForFunction((n) => Number(document.querySelector('#tick-count').textContent) > n + 1, early, T);
  const rows = await page.$$eval('#ticks li', (lis) => lis.map((li) => [...li.children].map((c) => c.textContent)));
  assert.ok(rows.length > early, 'the list grows with the counter');
  // Newest first: ids count down, each row's data is the tick with that id.
  const [[id, type, data], [previousId]] = rows;
  assert.equal(Number(id), Number(previousId) + 1);
  assert.equal(JSON.parse(data).tick, Number(id));
  assert.equal(type, Number(id) % 5 === 0 ? 'status' : 'message');
  assert.equal(live.server.openStreams(), 1);
});

test('a question streams its answer in, piece by piece, to the exact text', async () => {
  const question = 'How does the Rust example read a stream?';
  await page.fill('#question', question);
  // Record every state the answer goes through, as the page renders it.
  await page.evaluate(() => {
    window.__states = [];
    const answer = document.querySelector('#answer');
    new MutationObserver(() => window.__states.push(answer.textContent)).observe(answer, { childList: true, characterData: true, subtree: true });
  });
  await page.click('#ask');
  await page.waitForFunction(() => document.querySelector('#chat-status').textContent === 'done', null, T);
  const expected = answerFor([{ role: 'user', content: question }]);
  assert.equal(await text(page, '#answer'), expected);
  const states = [...new Set(await page.evaluate(() => window.__states))].filter(Boolean);
  assert.ok(states.length >= 5, `the answer grew in steps (saw ${states.length} states)`);
  for (const state of states) assert.ok(expected.startsWith(state), `every state is a beginning of the answer: ${JSON.stringify(state)}`);
  assert.equal(await page.isEnabled('#ask'), true, 'Ask is enabled again once the answer is done');
  const chat = live.server.chats().at(-1);
  assert.deepEqual([chat.question, chat.outcome], [question, 'done']);
  await page.screenshot({ path: join(SHOTS, 'rust.png') });
});

test('Stop drops the stream: the server sees the connection close and no more ticks arrive', async () => {
  await page.click('#tick-stop');
  assert.equal(await text(page, '#tick-status'), 'stopped: the stream was dropped');
  assert.equal(await live.server.streamsClosed(3000), 0, 'the ticker request is aborted');
  const stopped = await count(page);
  await page.waitForTimeout(1200);
  assert.equal(await count(page), stopped, 'no events after Stop');
  assert.deepEqual([await page.isEnabled('#tick-start'), await page.isEnabled('#tick-stop')], [true, false]);
  await checkClean(page);
});

test('a refused request shows the error and what the server said', async () => {
  const p = await openExample();
  // The page always sends the demo token; swap it on the way out to get the server's real 401.
  await p.route('**/v1/chat/completions', (route) => route.continue({ headers: { ...route.request().headers(), authorization: 'Bearer wrong' } }));
  await p.click('#ask');
  await p.waitForFunction(() => document.querySelector('#chat-status').textContent.startsWith('failed'), null, T);
  const status = await text(p, '#chat-status');
  assert.match(status, /^failed: the server answered HTTP 401; an event stream needs 200\. The server said: Incorrect API key provided\./);
  assert.equal(await p.getAttribute('#chat-status', 'class'), 'status error');
  assert.equal(await text(p, '#answer'), '');
  assert.equal(await p.isEnabled('#ask'), true);
  await p.screenshot({ path: join(SHOTS, 'rust-error.png') });
  // Chromium logs the 401 response itself; nothing else may fail.
  p.problems = p.problems.filter((e) => !/status of 401/.test(e)); // the browser's own log line
  await checkClean(p);
  await p.close();
});

// The plain-HTML example (examples/vanilla/), used as a person would: connect the feed and
// watch it tick, close it; ask a question and watch the answer stream in, stop one midway,
// and try a wrong token.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { answerFor } from '../../scripts/demo-routes.mjs';
import { SHOTS, checkClean, openWatched, serverAndBrowser } from '../support/pages.mjs';
import { sleep, until } from '../support/wait.mjs';

const live = serverAndBrowser();
const openExample = () => openWatched(live.browser, `${live.server.url}/examples/vanilla/`);

// The browser itself logs a failed request to the console: expect exactly that line.
function dropRefusedRequest(page, pattern) {
  const [refused, ...rest] = page.problems;
  assert.match(refused ?? '', pattern);
  page.problems = rest;
}

const text = (page, selector) => page.textContent(selector);
const chatState = (page) => page.getAttribute('#chat-state', 'data-state');

test('the EventSource panel shows ticks growing, named status events, and Close ends the stream', async () => {
  const page = await openExample();
  await page.click('#connect');
  await page.waitForFunction(() => document.querySelector('#feed-state').textContent === 'open', null, { timeout: 10_000 });

  // Sample the counter as ticks arrive: it must pass through several values, one by one.
  const counts = new Set();
  await until(async () => {
    counts.add(Number(await text(page, '#tick-count')));
    return counts.size >= 4 && (await page.$$('#statuses li')).length >= 1;
  }, 'several ticks and a status event', 10_000);
  const ticks = await page.$$eval('#ticks li', (lis) => lis.map((li) => li.textContent));
  assert.ok(ticks.length >= 3, `ticks listed: ${ticks.length}`);
  assert.match(ticks.at(-1), /^#1 {2}\{"tick":1,"time":"/, 'the first tick, with its id and data');
  const status = await page.$$eval('#statuses li', (lis) => lis.map((li) => li.textContent));
  assert.match(status.at(-1), /^#5 {2}status: \{"tick":5,/, 'tick 5 comes as a named status event');
  assert.ok(!ticks.some((t) => t.startsWith('#5 ')), 'onmessage does not see the named event');
  assert.equal(live.server.openStreams(), 1);
  await page.screenshot({ path: join(SHOTS, 'vanilla-feed.png') });

  await page.click('#close');
  assert.equal(await text(page, '#feed-state'), 'closed');
  assert.equal(await live.server.streamsClosed(3000), 0, 'Close ends the connection at the server');
  const stopped = Number(await text(page, '#tick-count'));
  await sleep(1000);
  assert.equal(Number(await text(page, '#tick-count')), stopped, 'no ticks after Close');
  await checkClean(page);
  await page.close();
});

test('a failed connection shows the error and the pending reconnect, then recovers', async () => {
  const page = await openExample();
  await page.route('**/events?*', (route) => route.abort('connectionrefused'));
  await page.click('#connect');
  await page.waitForSelector('#feed-error:not([hidden])', { timeout: 10_000 });
  assert.match(await text(page, '#feed-error'), /\. Reconnecting in \d+ ms\.$/);
  assert.equal(await text(page, '#feed-state'), 'connecting');
  await page.screenshot({ path: join(SHOTS, 'vanilla-reconnecting.png') });

  await page.unroute('**/events?*');
  await page.waitForFunction(() => document.querySelector('#feed-state').textContent === 'open', null, { timeout: 10_000 });
  assert.equal(await page.isHidden('#feed-error'), true, 'the error goes once the feed is back');
  await until(async () => Number(await text(page, '#tick-count')) >= 1, 'a tick after the reconnect', 10_000);
  await page.click('#close');
  assert.equal(await live.server.streamsClosed(3000), 0);
  dropRefusedRequest(page, /ERR_CONNECTION_REFUSED/);
  await checkClean(page);
  await page.close();
});

test('the POST panel streams the answer piece by piece and ends on [DONE]', async () => {
  const page = await openExample();
  await page.click('#connect'); // both panels at once, as a person trying the page would
  const question = 'How does a stream resume after a drop?';
  await page.fill('#question', question);
  await page.click('#send');
  const seen = [];
  await until(async () => {
    const now = await text(page, '#answer');
    if (now !== seen.at(-1)) seen.push(now);
    return (await chatState(page)) === 'done';
  }, 'the answer to finish', 15_000);
  const expected = answerFor([{ role: 'user', content: question }]);
  assert.equal(await text(page, '#answer'), expected);
  const partial = seen.filter((s) => s && s !== expected);
  assert.ok(partial.length >= 5, `the answer grew through ${partial.length} partial states`);
  assert.ok(partial.every((s) => expected.startsWith(s)), 'each state is a prefix of the answer');
  assert.equal(live.server.chats().at(-1).outcome, 'done');
  await page.screenshot({ path: join(SHOTS, 'vanilla.png') });
  await page.click('#close');
  assert.equal(await live.server.streamsClosed(3000), 0, 'no reconnect after [DONE]');
  assert.equal(live.server.chats().length, 1, 'one request, no second POST');
  await checkClean(page);
  await page.close();
});

test('Stop ends the answer midway and the server sees the disconnect', async () => {
  const page = await openExample();
  await page.fill('#question', 'Tell me about heartbeats.');
  await page.click('#send');
  await until(async () => (await text(page, '#answer')).length > 40, 'part of the answer', 10_000);
  await page.click('#stop');
  assert.equal(await chatState(page), 'stopped');
  assert.equal(await live.server.streamsClosed(3000), 0);
  const chat = live.server.chats().at(-1);
  assert.equal(chat.question, 'Tell me about heartbeats.');
  assert.equal(chat.outcome, 'disconnected');
  assert.ok(chat.sent < chat.pieces, `stopped after ${chat.sent} of ${chat.pieces} pieces`);
  const kept = await text(page, '#answer');
  await sleep(300);
  assert.equal(await text(page, '#answer'), kept, 'nothing arrives after Stop');
  await checkClean(page);
  await page.close();
});

test('a wrong token shows the server\'s 401 message', async () => {
  const page = await openExample();
  const before = live.server.chats().length;
  await page.fill('#token', 'not-the-token');
  await page.click('#send');
  await page.waitForSelector('#chat-error:not([hidden])', { timeout: 10_000 });
  assert.equal(await text(page, '#chat-error'), 'HTTP 401: Incorrect API key provided. The demo server accepts "demo-token".');
  assert.equal(await chatState(page), 'failed');
  assert.equal(await text(page, '#answer'), '');
  assert.equal(live.server.chats().length, before, 'no stream was started');
  assert.equal(await page.isEnabled('#send'), true, 'the form can be used again');
  await page.screenshot({ path: join(SHOTS, 'vanilla-401.png') });
  dropRefusedRequest(page, /status of 401/);
  await checkClean(page);
  await page.close();
});

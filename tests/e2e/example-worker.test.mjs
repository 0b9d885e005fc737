// The Web Worker example (examples/worker/), used as a person would: Start, watch the
// events the worker posts, Stop. The stream must run in the worker, not in the page.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { SHOTS, checkClean, openWatched, serverAndBrowser } from '../support/pages.mjs';
import { sleep, until } from '../support/wait.mjs';

const live = serverAndBrowser();

const count = async (page) => Number(await page.textContent('#count'));
const states = (page) => page.$$eval('#states li', (lis) => lis.map((li) => li.textContent).reverse());

test('events from the worker appear and grow, and Stop closes the stream at the server', async () => {
  // Who asked for /events: a request from the worker carries the worker script as referrer.
  const feeds = [];
  const page = await openWatched(live.browser, `${live.server.url}/examples/worker/`, (p) =>
    p.on('request', (r) => new URL(r.url()).pathname === '/events' && feeds.push(r.headers().referer)));
  await until(() => page.workers().length === 1, 'the module worker to start', 10_000);
  assert.match(page.workers()[0].url(), /\/examples\/worker\/worker\.js$/);

  await page.click('#start');
  const counts = new Set();
  await until(async () => {
    counts.add(await count(page));
    return counts.size >= 5 && (await page.$$('#events tr.status')).length >= 1;
  }, 'several events, one of them a status event', 10_000);
  assert.equal(await page.textContent('#state'), 'open');
  assert.equal(live.server.openStreams(), 1);
  assert.deepEqual(feeds.map((r) => new URL(r).pathname), ['/examples/worker/worker.js'], 'the worker made the one request');

  const rows = await page.$$eval('#events tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)).reverse());
  assert.ok(rows.length >= 5, `${rows.length} rows`);
  assert.deepEqual(rows[0].slice(0, 2), ['message', '1']);
  assert.match(rows[0][2], /^\{"tick":1,"time":"/);
  assert.deepEqual(rows[4].slice(0, 2), ['status', '5'], 'the named event keeps its type');
  assert.deepEqual(rows.map((r) => Number(r[1])), rows.map((_, i) => i + 1), 'ids in order, none lost');
  assert.deepEqual(await states(page), ['connecting', 'open']);
  await page.screenshot({ path: join(SHOTS, 'worker.png') });

  await page.click('#stop');
  await until(async () => (await page.textContent('#state')) === 'closed', 'the worker to report closed', 10_000);
  assert.equal(await live.server.streamsClosed(3000), 0, 'Stop closes the connection at the server');
  const stopped = await count(page);
  await sleep(1200);
  assert.equal(await count(page), stopped, 'no events after Stop');
  assert.deepEqual(await states(page), ['connecting', 'open', 'closed: closed by the page']);
  assert.equal(await page.isEnabled('#start'), true);

  // Start again: a new source, so a new stream that starts over at tick 1.
  await page.click('#start');
  await until(async () => (await count(page)) > stopped + 1, 'events of the second stream', 10_000);
  assert.equal(live.server.openStreams(), 1);
  const [total, newestId] = await page.evaluate(() => [
    Number(document.querySelector('#count').textContent),
    Number(document.querySelector('#events tr td:nth-child(2)').textContent),
  ]);
  assert.equal(newestId, total - stopped, 'the second stream counts its ids from 1');
  await page.click('#stop');
  await until(async () => (await page.textContent('#state')) === 'closed', 'closed again', 10_000);
  assert.equal(await live.server.streamsClosed(3000), 0);
  await page.screenshot({ path: join(SHOTS, 'worker-stopped.png') });

  await checkClean(page);
  await page.close();
});

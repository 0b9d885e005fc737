// The SSE inspector example (examples/inspector/), used as a developer would: pick a preset
// or type a request, connect, read the timeline, pause, filter, copy it, disconnect.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { answerFor } from '../../scripts/demo-routes.mjs';
import { SHOTS, checkClean, openWatched, serverAndBrowser } from '../support/pages.mjs';

const WAIT = { timeout: 10_000 };
const live = serverAndBrowser();

/** A fresh page on the inspector, watched for page errors, console errors and CSP violations. */
async function openInspector(t, setup) {
  const context = await live.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  t.after(() => context.close());
  const page = await openWatched(context, `${live.server.url}/examples/inspector/`, (p) => setup && p.addInitScript(setup));
  page.checkClean = () => {
    // The browser logs every failed response (the 401s and 500s these tests ask for, the cut
    // connections) as "Failed to load resource"; those are the scenarios, not page faults.
    page.problems = page.problems.filter((p) => !p.startsWith('console: Failed to load resource'));
    return checkClean(page);
  };
  return page;
}

/** The timeline as a person reads it: one object per visible row. */
const rows = (page) => page.$$eval('#rows tr:not([hidden])', (trs) => trs.map((tr) => {
  const [t, kind, type, id, data] = [...tr.cells].map((td) => td.textContent);
  return { t: Number(t), kind, type, id, data };
}));
const text = (page, selector) => page.textContent(selector);
const waitForRow = (page, kind, n = 1) =>
  page.waitForFunction(([k, count]) => document.querySelectorAll(`#rows tr.kind-${k}`).length >= count, [kind, n], WAIT);

async function connect(page, preset) {
  if (preset) await page.selectOption('#preset', preset);
  await page.click('#connect');
}

test('the ticker preset grows a live timeline, and Disconnect closes the stream at the server', async (t) => {
  const page = await openInspector(t);
  assert.equal(await page.inputValue('#url'), '/events?interval=500', 'the ticker is the preset on arrival');
  await connect(page, 'ticker');
  await waitForRow(page, 'event', 2);
  const early = await rows(page);
  assert.equal(await text(page, '#ready-state'), 'OPEN');
  assert.equal(live.server.openStreams(), 1);
  await page.waitForFunction(() => [...document.querySelectorAll('#rows td.type')].some((td) => td.textContent === 'status'), null, WAIT);
  const later = await rows(page);
  assert.ok(later.length > early.length + 2, 'rows keep arriving while connected');

  assert.equal(later[0].kind, 'open');
  assert.match(later[0].data, /^GET http:\/\/127\.0\.0\.1:\d+\/events\?interval=500$/);
  assert.deepEqual(later.find((r) => r.kind === 'retry')?.data, '2000 ms reconnection time');
  assert.deepEqual(later.filter((r) => r.kind === 'comment').map((r) => r.data).slice(0, 2), ['resuming at 1', 'heartbeat']);
  const events = later.filter((r) => r.kind === 'event');
  assert.deepEqual(events.map((r) => r.id), events.map((_, i) => String(i + 1)), 'ids count up from 1');
  assert.deepEqual(events.filter((r) => r.type === 'status').map((r) => r.id), ['5']);
  assert.match(events[0].data, /^\{"tick":1,"time":"[\d-]+T[\d:.]+Z"\}$/);
  assert.ok(events.every((r, i) => i === 0 || r.t > events[i - 1].t), 'times since connect grow');
  assert.equal(await text(page, '#count-events'), String(events.length));
  await page.screenshot({ path: join(SHOTS, 'inspector-ticker.png') });

  await page.click('#disconnect');
  assert.equal(await live.server.streamsClosed(3000), 0, 'Disconnect closes the connection');
  const last = (await rows(page)).at(-1);
  assert.deepEqual([last.kind, last.data], ['closed', 'closeReason: closed']);
  assert.equal(await text(page, '#ready-state'), 'CLOSED');
  assert.ok(await page.isDisabled('#disconnect'));
  await page.checkClean();
});

test('the resume preset shows each reconnect with its delay, and the ids continue without repeats', async (t) => {
  const page = await openInspector(t);
  await connect(page, 'resume');
  await waitForRow(page, 'reconnect');
  assert.ok((await rows(page)).filter((r) => r.kind === 'event').length < 8, 'seen before the stream is over');
  await waitForRow(page, 'closed');
  const all = await rows(page);
  const events = all.filter((r) => r.kind === 'event');
  assert.deepEqual(events.map((r) => r.id), ['1', '2', '3', '4', '5', '6', '7', '8']);
  assert.deepEqual(events.map((r) => r.data), ['1', '2', '3', '4', '5', '6', '7', '8']);

  const reconnects = all.filter((r) => r.kind === 'reconnect');
  assert.equal(reconnects.length, 3, 'two drops, then the end of the body');
  for (const r of reconnects) assert.match(r.data, /^in 800 msattempt 1/);
  assert.match(reconnects[0].data, /network/);
  assert.match(reconnects[2].data, /end_of_stream.*the server closed the stream/);
  assert.equal(all.filter((r) => r.kind === 'open').length, 3);
  const resumed = all.findIndex((r, i) => i > 0 && r.kind === 'open');
  assert.ok(all[resumed].t - reconnects[0].t >= 700, 'the reconnect waited the server\'s retry: 800');

  // Past the last event, the server answers 204: the source stops for good.
  const [error, closed] = all.slice(-2);
  assert.equal(error.kind, 'error');
  assert.match(error.data, /HTTP 204.*no_content.*No Content/);
  assert.deepEqual([closed.kind, closed.data], ['closed', 'closeReason: no_content']);
  assert.equal(await text(page, '#count-reconnects'), '3');
  assert.equal(await text(page, '#count-errors'), '1');
  await page.screenshot({ path: join(SHOTS, 'inspector.png') });
  await page.checkClean();
});

test('the fields scenario shows exactly the items the stream holds', async (t) => {
  const page = await openInspector(t);
  await connect(page, 'fields');
  await waitForRow(page, 'reconnect');
  const seen = (await rows(page)).map(({ kind, type, id, data }) => [kind, type, id, data]);
  assert.deepEqual(seen.slice(0, -1), [
    ['open', '', '', `GET ${live.server.url}/sse/fields?delay=300`],
    ['comment', '', '', 'heartbeat'],
    ['retry', '', '', '1500 ms reconnection time'],
    ['event', 'greeting', '42', '{"hello":"world"}\n two spaces'],
    ['event', 'message', '42', '(empty data)'],
    ['event', 'message', '42', 'still 42'],
    ['event', 'message', '', 'no id'],
  ]);
  // The unterminated last event is discarded; the end of the body means a reconnect after retry: 1500.
  assert.deepEqual(seen.at(-1), ['reconnect', '', '', 'in 1500 msattempt 1end_of_streamthe server closed the stream']);
  assert.equal(await text(page, '#ready-state'), 'CONNECTING');
  assert.equal(await text(page, '#count-bytes'), String('{"hello":"world"}\n two spaces'.length + 'still 42'.length + 'no id'.length));
  // Multi-line data is shown whole, on its own lines.
  const box = await page.$eval('#rows tr.kind-event .payload', (el) => [getComputedStyle(el).whiteSpace, el.getBoundingClientRect().height]);
  assert.equal(box[0], 'pre-wrap');
  assert.ok(box[1] > 25, 'two lines tall');
  await page.screenshot({ path: join(SHOTS, 'inspector-fields.png') });
  await page.click('#disconnect');
  assert.equal(await live.server.streamsClosed(3000), 0);
  await page.checkClean();
});

test('a 500 and a refused chat token show error rows with the status and a readable message', async (t) => {
  const page = await openInspector(t);
  await connect(page, 'status-500');
  await waitForRow(page, 'closed');
  let all = await rows(page);
  assert.deepEqual(all.map((r) => r.kind), ['error', 'closed']);
  assert.equal(all[0].data, 'HTTP 500statusthe server answered HTTP 500; an event stream needs 200<h1>Server error</h1>');
  assert.equal(all[1].data, 'closeReason: status');
  assert.equal(await text(page, '#ready-state'), 'CLOSED');

  await connect(page, 'chat-401');
  await waitForRow(page, 'closed');
  all = await rows(page);
  assert.deepEqual(all.map((r) => r.kind), ['error', 'closed'], 'the timeline starts again on Connect');
  assert.match(all[0].data, /^HTTP 401statusthe server answered HTTP 401; an event stream needs 200/);
  assert.equal(await page.textContent('#rows .said'), 'Server says: Incorrect API key provided. The demo server accepts "demo-token".');
  assert.match(await page.textContent('#rows pre.body'), /"code":"invalid_api_key"/);
  assert.equal(all[1].data, 'closeReason: status');
  assert.equal(await text(page, '#count-errors'), '1');
  await page.screenshot({ path: join(SHOTS, 'inspector-401.png') });
  await page.checkClean();
});

test('the form explains what is wrong before connecting', async (t) => {
  const page = await openInspector(t);
  await page.selectOption('#preset', 'chat');
  await page.fill('#body', '{"messages": [}');
  await page.click('#connect');
  assert.match(await text(page, '#form-error'), /^The body is not valid JSON: /);
  await page.fill('#body', '{"messages":[{"role":"user","content":"hi"}]}');
  await page.fill('#headers', 'Authorization: Bearer demo-token\nnot a header');
  await page.click('#connect');
  assert.equal(await text(page, '#form-error'), 'Headers, line 2: expected "Name: value", got "not a header".');
  assert.equal(await text(page, '#ready-state'), 'IDLE', 'nothing was sent');
  assert.equal(await text(page, '#preset-description'), 'Custom request.');
  await page.checkClean();
});

test('the chat preset POSTs JSON with a bearer token and streams chunks up to [DONE]', async (t) => {
  const page = await openInspector(t);
  await connect(page, 'chat');
  const counts = [];
  for (let i = 0; i < 3; i += 1) {
    await waitForRow(page, 'event', (counts.at(-1) ?? 0) + 5);
    counts.push((await rows(page)).filter((r) => r.kind === 'event').length);
  }
  await waitForRow(page, 'closed');
  const all = await rows(page);
  assert.match(all[0].data, /^POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions$/);
  const events = all.filter((r) => r.kind === 'event');
  assert.equal(events.at(-1).data, '[DONE]');
  assert.ok(counts.at(-1) < events.length, `seen growing (${counts}) before all ${events.length} events`);
  const chunks = events.slice(0, -1).map((r) => JSON.parse(r.data));
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  const question = JSON.parse(await page.inputValue('#body')).messages;
  assert.equal(chunks.map((c) => c.choices[0].delta.content ?? '').join(''), answerFor(question));
  assert.deepEqual([all.at(-1).kind, all.at(-1).data], ['closed', 'closeReason: closedstopped at [DONE]']);
  assert.deepEqual([live.server.chats().at(-1).question, live.server.chats().at(-1).outcome], [question.at(-1).content, 'done']);

  // Without stopping at [DONE], the end of the body is a reconnect, as for any EventSource.
  const before = live.server.chats().length;
  await page.uncheck('#stop-at-done');
  await page.fill('#url', '/v1/chat/completions?delay=1');
  await page.click('#connect');
  await waitForRow(page, 'reconnect');
  const reconnect = (await rows(page)).find((r) => r.kind === 'reconnect');
  assert.equal(reconnect.data, 'in 1000 msattempt 1end_of_streamthe server closed the stream');
  await page.click('#disconnect');
  assert.equal(await live.server.streamsClosed(3000), 0);
  assert.equal(live.server.chats().length, before + 1, 'disconnected before the reconnect was sent');
  await page.checkClean();
});

test('long data is cut to a readable size, and shown whole on request', async (t) => {
  const page = await openInspector(t);
  await page.fill('#url', '/sse/long-line');
  await page.click('#connect');
  await waitForRow(page, 'event', 3);
  await page.click('#disconnect');
  const long = page.locator('#rows tr.kind-event').nth(1);
  assert.equal((await long.locator('.payload').textContent()).length, 2000);
  const height = (await long.boundingBox()).height;
  assert.ok(height < 200, `a 64 KiB line takes a few lines, not the page (${height}px)`);
  await long.getByRole('button', { name: 'Show all 65,536 characters' }).click();
  assert.equal(await long.locator('.payload').textContent(), 'x'.repeat(65536));
  assert.equal(await text(page, '#count-bytes'), (2 + 65536 + 3).toLocaleString('en'));
  await page.checkClean();
});

test('Pause buffers new rows, Resume appends them; the filter and Copy as JSON work on the timeline', async (t) => {
  const page = await openInspector(t);
  await page.fill('#url', '/sse/forever?interval=100');
  await page.click('#connect');
  await waitForRow(page, 'event', 3);
  await page.click('#pause');
  const shown = (await rows(page)).length;
  await page.waitForFunction(() => Number.parseInt(document.querySelector('#paused-count').textContent, 10) >= 4, null, WAIT);
  assert.ok(await page.isVisible('#paused-count'));
  assert.equal((await rows(page)).length, shown, 'no rows are added while paused');
  assert.equal(await text(page, '#pause'), 'Resume');
  await page.click('#pause');
  assert.ok(!(await page.isVisible('#paused-count')));
  await page.click('#disconnect');
  const all = await rows(page);
  assert.ok(all.length >= shown + 4, 'the buffered rows are appended');
  const ids = all.filter((r) => r.kind === 'event').map((r) => Number(r.id));
  assert.deepEqual(ids, ids.map((_, i) => i + 1), 'in order, none lost or repeated');
  assert.equal(await text(page, '#count-events'), String(ids.length));

  await page.fill('#filter', 'tick 2');
  const filtered = await rows(page);
  assert.ok(filtered.length >= 1 && filtered.every((r) => r.data.startsWith('tick 2')), 'only matching rows stay visible');
  await page.fill('#filter', '');
  assert.equal((await rows(page)).length, all.length);

  await page.click('#copy');
  await page.waitForFunction(() => document.querySelector('#copy-status').textContent.startsWith('Copied'), null, WAIT);
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  assert.equal(copied.length, all.length);
  assert.deepEqual(copied.map((r) => r.kind), all.map((r) => r.kind));
  assert.deepEqual(copied.filter((r) => r.kind === 'event').map((r) => r.data), ids.map((n) => `tick ${n}`));
  assert.equal(await text(page, '#copy-status'), `Copied ${all.length} rows as JSON`);

  await page.click('#clear');
  assert.equal((await rows(page)).length, 0);
  assert.equal(await text(page, '#count-events'), '0');
  await page.checkClean();
});

test('when the clipboard is refused, Copy as JSON offers the timeline as a download', async (t) => {
  const page = await openInspector(t, () => {
    // As a browser does when the page lacks clipboard permission.
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
  });
  await connect(page, 'end');
  await waitForRow(page, 'reconnect');
  await page.click('#disconnect');
  const shown = await rows(page);
  await page.click('#copy');
  const link = page.locator('#copy-status a');
  assert.equal(await link.textContent(), `Clipboard refused: download ${shown.length} rows as JSON`);
  const [download] = await Promise.all([page.waitForEvent('download', WAIT), link.click()]);
  assert.equal(download.suggestedFilename(), 'sse-timeline.json');
  const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.deepEqual(saved.map((r) => r.kind), shown.map((r) => r.kind));
  assert.deepEqual(saved.map((r) => r.t), shown.map((r) => r.t));
  assert.deepEqual(saved.filter((r) => r.kind === 'event').map((r) => r.data), ['event 1', 'event 2', 'event 3']);
  await page.checkClean();
});

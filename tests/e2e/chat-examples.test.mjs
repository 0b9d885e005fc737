// The Vue and React chat examples, production builds from Vite, used as a person would:
// type a question, watch the answer grow, press Stop, use a wrong token, lose the
// connection mid-answer. Both apps keep the same contract (data-testid names), so one
// story runs against each.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { answerFor } from '../../scripts/demo-routes.mjs';
import { servedDir } from '../../scripts/examples.mjs';
import { SHOTS, checkClean, openWatched, serverAndBrowser } from '../support/pages.mjs';
import { sleep, until } from '../support/wait.mjs';

const live = serverAndBrowser();

const by = (id) => `[data-testid="${id}"]`;

/** A fresh page of `app`, watched for page errors, console errors and CSP violations. */
async function openApp(app) {
  assert.ok(existsSync(join(servedDir(app), 'index.html')), `${app} is not built: run \`node scripts/examples.mjs\``);
  const page = await openWatched(live.browser, `${live.server.url}/examples/${app}/`);
  await page.waitForSelector(by('prompt'));
  return page;
}

const state = (page) => page.getAttribute(by('status'), 'data-state');
const answers = (page) => page.$$eval(`${by('message')}[data-role="assistant"] ${by('message-text')}`, (els) => els.map((e) => e.textContent));
const lastAnswer = async (page) => (await answers(page)).at(-1) ?? '';

async function ask(page, question) {
  await page.fill(by('prompt'), question);
  await page.click(by('send'));
}

/** Samples the growing answer every 30 ms until the state leaves `streaming`/`connecting`. */
async function watchAnswer(page, ms = 15_000) {
  const seen = [];
  const deadline = Date.now() + ms;
  for (;;) {
    const text = await lastAnswer(page);
    if (text !== seen.at(-1)) seen.push(text);
    const now = await state(page);
    if (!['connecting', 'streaming', 'reconnecting'].includes(now) || Date.now() > deadline) return { seen, state: now };
    await sleep(30);
  }
}

for (const app of ['vue-chat', 'react-chat']) {
  describe(app, () => {
    test('an answer streams in piece by piece, then a follow-up sends the whole conversation', async () => {
      const page = await openApp(app);
      await page.fill(by('endpoint'), '/v1/chat/completions?delay=25');
      const question = 'What are server-sent events?';
      await ask(page, question);
      const first = await watchAnswer(page);
      const expected = answerFor([{ role: 'user', content: question }]);
      assert.equal(first.state, 'done', await page.textContent(by('status')));
      assert.equal(first.seen.at(-1), expected);
      assert.ok(first.seen.length >= 8, `the answer grew in steps (saw ${first.seen.length} states)`);
      for (const partial of first.seen) assert.ok(expected.startsWith(partial), `a partial answer is a prefix: ${JSON.stringify(partial)}`);
      assert.equal(live.server.chats().at(-1).outcome, 'done');

      const followUp = 'And how do they resume?';
      await ask(page, followUp);
      const second = await watchAnswer(page);
      const history = [
        { role: 'user', content: question },
        { role: 'assistant', content: expected },
        { role: 'user', content: followUp },
      ];
      assert.equal(second.seen.at(-1), answerFor(history), 'the server saw the whole conversation');
      assert.deepEqual(await answers(page), [expected, answerFor(history)]);
      await page.screenshot({ path: join(SHOTS, `${app}.png`) });
      await checkClean(page);
      await page.close();
    });

    test('Stop ends the stream mid-answer, keeps the partial text, and the server sees the disconnect', async () => {
      const page = await openApp(app);
      await page.fill(by('endpoint'), '/v1/chat/completions?delay=60');
      await ask(page, 'Tell me a long story');
      await page.waitForFunction(
        ([sel]) => (document.querySelector(sel)?.textContent.length ?? 0) > 20,
        [`${by('message')}[data-role="assistant"]:last-of-type ${by('message-text')}`],
        { timeout: 10_000 },
      );
      assert.equal(await page.isEnabled(by('stop')), true);
      await page.click(by('stop'));
      await until(async () => (await state(page)) === 'stopped', 'state becomes stopped', 5000);
      const record = live.server.chats().at(-1);
      await until(() => record.outcome === 'disconnected', 'the server sees the client go away', 3000);
      assert.ok(record.sent < record.pieces, `generation stopped early (${record.sent} of ${record.pieces} pieces)`);
      const kept = await lastAnswer(page);
      assert.ok(kept.length > 20, 'the partial answer stays');
      await sleep(300);
      assert.equal(await lastAnswer(page), kept, 'nothing arrives after Stop');
      assert.equal(await page.isEnabled(by('stop')), false);
      await page.screenshot({ path: join(SHOTS, `${app}-stopped.png`) });
      await checkClean(page);
      await page.close();
    });

    test('a wrong token shows the 401 and the server\'s message, readable', async () => {
      const page = await openApp(app);
      await page.fill(by('token'), 'not-the-token');
      await ask(page, 'Hello?');
      await until(async () => (await state(page)) === 'error', 'state becomes error', 5000);
      const message = await page.textContent(by('error'));
      assert.match(message, /401/);
      assert.match(message, /Incorrect API key provided/);
      assert.ok(await page.isVisible(by('error')));
      await page.screenshot({ path: join(SHOTS, `${app}-401.png`) });
      page.problems = page.problems.filter((p) => !/401/.test(p)); // the browser logs the failed request itself
      await checkClean(page);
      await page.close();
    });

    test('a connection dropped mid-answer reconnects, resumes by Last-Event-ID, and nothing repeats', async () => {
      const page = await openApp(app);
      await page.fill(by('endpoint'), '/v1/chat/completions?delay=20');
      await page.check(by('drop'));
      const question = 'Does it survive a dropped connection?';
      const before = live.server.chats().length;
      await ask(page, question);
      await until(async () => (await state(page)) === 'reconnecting', 'state becomes reconnecting', 10_000);
      assert.match(await page.textContent(by('status')), /reconnect/i);
      const result = await watchAnswer(page);
      assert.equal(result.state, 'done');
      assert.equal(result.seen.at(-1), answerFor([{ role: 'user', content: question }]));
      const streams = live.server.chats().slice(before);
      assert.deepEqual(streams.map((c) => c.outcome), ['dropped', 'done']);
      assert.equal(streams[1].from, streams[0].sent, 'the second request resumed after the last piece received');
      // The browser logs the cut response itself; that is the point of this test.
      page.problems = page.problems.filter((p) => !/ERR_INCOMPLETE_CHUNKED_ENCODING/.test(p));
      await checkClean(page);
      await page.close();
    });
  });
}

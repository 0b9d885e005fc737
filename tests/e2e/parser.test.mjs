// The built package in headless Chromium, parsing real HTTP responses from a local server
// whose bodies arrive in chosen chunks (see SCENARIOS in scripts/sse-server.mjs).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SCENARIOS, startServer } from '../../scripts/sse-server.mjs';
import { launchBrowser, openPage } from '../support/browser.mjs';

let server;
let browser;
let page;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await openPage(browser, server.url);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const event = (data, lastEventId = '', type = 'message') => ({ kind: 'event', type, data, lastEventId });

// Runs in the page: fetch, read the body chunk by chunk, feed createParser().
async function readWithParser(path) {
  const { createParser } = await import('/pkg/index.js');
  const parser = await createParser();
  const response = await fetch(path);
  const reader = response.body.getReader();
  const items = [];
  const chunkLengths = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunkLengths.push(value.length);
    items.push(...parser.feed(value));
  }
  items.push(...parser.finish());
  parser.free();
  return { items, chunkLengths };
}

// Runs in the page: the async iterator over a fetch Response.
async function iterate(path) {
  const { parseEventStream } = await import('/pkg/index.js');
  const items = [];
  for await (const item of parseEventStream(await fetch(path))) items.push(item);
  return items;
}

/** Byte offsets where the server cut the scenario's body. */
function cuts(name) {
  const offsets = [];
  let at = 0;
  for (const chunk of SCENARIOS[name].slice(0, -1)) offsets.push((at += chunk.length));
  return offsets;
}

/** Proves the browser really received the body cut where the scenario cuts it. */
function assertCutsSeen(name, chunkLengths) {
  const seen = new Set();
  let at = 0;
  for (const n of chunkLengths) seen.add((at += n));
  for (const offset of cuts(name)) {
    assert.ok(seen.has(offset), `the browser should see a chunk boundary at byte ${offset}; saw ${chunkLengths}`);
  }
}

const EXPECTED = {
  'crlf-split': [event('first', '1'), event('second', '1')],
  'utf8-split': [event('你好 😀')],
  bom: [event('after bom'), event('\uFEFFkept')],
  fields: [
    { kind: 'comment', comment: 'heartbeat' },
    { kind: 'retry', retry: 1500 },
    event('{"hello":"world"}\n two spaces', '42', 'greeting'),
    event('', '42'),
    event('still 42', '42'),
    event('no id', ''),
  ],
};

describe('createParser().feed() on a fetch body, chunk by chunk', () => {
  test('a CRLF split between its CR and LF across network chunks is one line ending', async () => {
    const { items, chunkLengths } = await page.evaluate(readWithParser, '/sse/crlf-split');
    assertCutsSeen('crlf-split', chunkLengths);
    assert.deepEqual(items, EXPECTED['crlf-split']);
  });

  test('multi-byte UTF-8 characters split across network chunks decode intact', async () => {
    const { items, chunkLengths } = await page.evaluate(readWithParser, '/sse/utf8-split');
    assertCutsSeen('utf8-split', chunkLengths);
    assert.deepEqual(items, EXPECTED['utf8-split']);
  });

  test('a leading BOM split across chunks is stripped and a later one is data', async () => {
    const { items, chunkLengths } = await page.evaluate(readWithParser, '/sse/bom');
    assertCutsSeen('bom', chunkLengths);
    assert.deepEqual(items, EXPECTED.bom);
  });

  test('comments, retry, event, id (NUL ignored, empty resets) and the discarded unfinished event', async () => {
    const { items, chunkLengths } = await page.evaluate(readWithParser, '/sse/fields');
    assertCutsSeen('fields', chunkLengths);
    assert.deepEqual(items, EXPECTED.fields);
  });
});

describe('parseEventStream(response) async iteration', () => {
  for (const name of Object.keys(EXPECTED)) {
    test(`yields the same items as the chunk-by-chunk parser: ${name}`, async () => {
      assert.deepEqual(await page.evaluate(iterate, `/sse/${name}`), EXPECTED[name]);
    });
  }

  test('leaving the loop early cancels the response body and the server sees the disconnect', async () => {
    const ids = await page.evaluate(async () => {
      const { parseEventStream } = await import('/pkg/index.js');
      const seen = [];
      for await (const item of parseEventStream(await fetch('/events?interval=30'))) {
        if (item.kind === 'event') seen.push(item.lastEventId);
        if (seen.length === 3) break;
      }
      return seen;
    });
    assert.deepEqual(ids, ['1', '2', '3']);
    assert.equal(await server.streamsClosed(3000), 0, 'the ticker stream should be closed by the client');
  });
});

describe('options', () => {
  test('dispatchIncompleteEvent dispatches the event a server left without its blank line', async () => {
    const [strict, lenient] = await page.evaluate(async () => {
      const { parseEventStream } = await import('/pkg/index.js');
      const run = async (options) => {
        const items = [];
        for await (const item of parseEventStream(await fetch('/sse/unterminated'), options)) items.push(item);
        return items;
      };
      return [await run(), await run({ dispatchIncompleteEvent: true })];
    });
    assert.deepEqual(strict, [event('one', '7')]);
    assert.deepEqual(lenient, [event('one', '7'), event('two', '7')]);
  });

  test('lastEventId starts the parser from a saved id, and one with U+0000 is refused', async () => {
    const result = await page.evaluate(async () => {
      const { createParser } = await import('/pkg/index.js');
      const parser = await createParser({ lastEventId: 'saved-9' });
      const before = parser.lastEventId;
      const items = parser.feed('data: x\n\nid: 10\ndata: y\n\n');
      let refused = null;
      try {
        await createParser({ lastEventId: 'a\0b' });
      } catch (e) {
        refused = `${e.name}: ${e.message}`;
      }
      return { before, ids: items.map((i) => i.lastEventId), after: parser.lastEventId, refused };
    });
    assert.deepEqual(result, {
      before: 'saved-9',
      ids: ['saved-9', '10'],
      after: '10',
      refused: 'TypeError: wasm-sse: lastEventId must not contain U+0000',
    });
  });
});

describe('errors', () => {
  test('parseEventStream throws the ParseError mid-stream and cancels the download', async () => {
    const outcome = await page.evaluate(async () => {
      const { parseEventStream } = await import('/pkg/index.js');
      const items = [];
      try {
        for await (const item of parseEventStream(await fetch('/sse/long-line?delay=400'), { maxEventSize: 16384 })) {
          items.push(item.data);
        }
        return { items, error: null };
      } catch (e) {
        return { items, error: { name: e.name, reason: e.reason } };
      }
    });
    assert.deepEqual(outcome, { items: ['ok'], error: { name: 'ParseError', reason: 'event_too_large' } });
    // The body would take 4 s more to arrive; the cancel ends it well before that.
    assert.equal(await server.streamsClosed(1500), 0, 'the stream should be cancelled by the client');
  });

  test('a line over maxEventSize throws a ParseError with a machine-readable reason', async () => {
    const error = await page.evaluate(async () => {
      const { createParser } = await import('/pkg/index.js');
      const parser = await createParser({ maxEventSize: 1024 });
      parser.feed('data: fine\n\n');
      try {
        parser.feed(`data: ${'x'.repeat(2000)}`);
        return null;
      } catch (e) {
        return { name: e.name, reason: e.reason, limit: e.limit, isError: e instanceof Error, message: e.message };
      } finally {
        parser.free();
      }
    });
    assert.equal(error?.name, 'ParseError');
    assert.equal(error.reason, 'event_too_large');
    assert.equal(error.limit, 1024);
    assert.equal(error.isError, true);
    assert.match(error.message, /1024 bytes/);
  });

  test('chunks that are not bytes or strings are refused with a TypeError', async () => {
    const message = await page.evaluate(async () => {
      const { createParser } = await import('/pkg/index.js');
      const parser = await createParser();
      try {
        parser.feed(42);
        return null;
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    });
    assert.match(message, /^TypeError: wasm-sse: a chunk must be/);
  });
});

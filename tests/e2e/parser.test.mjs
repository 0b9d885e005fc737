// The built package in headless Chromium, parsing real HTTP responses from a local server
// whose bodies arrive in chosen chunks (see SCENARIOS in scripts/sse-server.mjs).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SCENARIOS, startServer } from '../../scripts/sse-server.mjs';
import { launchBrowser, openPage } from '../support/browser.mjs';
import { until } from '../support/wait.mjs';

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

describe('edges of the parser API', () => {
  test('a string chunk may end between the halves of a surrogate pair; a lone half is U+FFFD', async () => {
    const result = await page.evaluate(async () => {
      const { createParser } = await import('/pkg/index.js');
      const data = (items) => items.map((i) => i.data);
      const parser = await createParser();
      const split = [...parser.feed('data: \uD83D'), ...parser.feed('\uDE00 and \uD83D'), ...parser.feed('\uDE01\n\n')];
      // A lone first half before bytes, and at the end with dispatchIncompleteEvent.
      const lone = [...parser.feed('data: a\uD83D'), ...parser.feed(new TextEncoder().encode('b\n\n'))];
      const ending = await createParser({ dispatchIncompleteEvent: true });
      const last = [...ending.feed('data: c\uD83D'), ...ending.finish()];
      parser.free();
      ending.free();
      return { split: data(split), lone: data(lone), last: data(last) };
    });
    assert.deepEqual(result, { split: ['😀 and 😁'], lone: ['a\uFFFDb'], last: ['c\uFFFD'] });
  });

  test('free() twice does nothing, and a freed parser says so', async () => {
    const result = await page.evaluate(async () => {
      const { createParser } = await import('/pkg/index.js');
      const parser = await createParser();
      parser.free();
      parser.free();
      const attempt = (f) => {
        try {
          f();
          return 'no error';
        } catch (e) {
          return e.message;
        }
      };
      return [attempt(() => parser.feed('data: x\n\n')), attempt(() => parser.lastEventId), attempt(() => parser.finish())];
    });
    assert.deepEqual(result, Array(3).fill('wasm-sse: this parser was freed'));
  });

  test('parseEventStream refusing its options cancels the download too', async () => {
    const key = `parser-options-${Date.now()}`;
    const message = await page.evaluate(async (url) => {
      const { parseEventStream } = await import('/pkg/index.js');
      try {
        for await (const item of parseEventStream(await fetch(url), { lastEventId: 'a\0b' })) void item;
        return 'no error';
      } catch (e) {
        return e.message;
      }
    }, `/sse/forever?key=${key}`);
    assert.equal(message, 'wasm-sse: lastEventId must not contain U+0000');
    const [entry] = server.log(key);
    await until(() => entry.closedAt !== null, 'the server to see the download cancelled', 3000);
  });

  test('init takes a promise of a URL, as its type says', async () => {
    // A fresh page: the module loads only once per page.
    const fresh = await openPage(browser, server.url);
    const result = await fresh.evaluate(async () => {
      const { init, createParser } = await import('/pkg/index.js');
      try {
        await init(Promise.resolve(new URL('/pkg/wasm_sse_bg.wasm', location.href)));
        return (await createParser()).feed('data: ok\n\n')[0].data;
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    });
    await fresh.close();
    assert.equal(result, 'ok');
  });
});

test('parseEventStream takes a Response from another realm (an iframe) as a Response', async () => {
  const items = await page.evaluate(async () => {
    const { parseEventStream } = await import('/pkg/index.js');
    const frame = document.createElement('iframe');
    document.body.append(frame);
    const response = new frame.contentWindow.Response('data: from the frame\n\n', { headers: { 'content-type': 'text/event-stream' } });
    const seen = [];
    for await (const item of parseEventStream(response)) seen.push(item.data);
    frame.remove();
    return seen;
  });
  assert.deepEqual(items, ['from the frame']);
});

// Property tests over the whole pipeline below the network, in headless Chromium: random byte
// streams (SSE-like lines mixed with BOMs, NUL, stray CRs, invalid UTF-8, multi-byte characters
// and raw noise) go through the wasm parser, its batches (src/bindings/batch.rs), the JS
// decoding (js/batch.js, js/parser.js) and the event-source APIs, whole, byte by byte and cut
// at random points. Every chunking must give the same items and the same error, and those
// must equal what a small reference parser written here from the WHATWG rules gives, so a
// bug common to every chunking is caught too.
//
// The streams come from a seeded generator: the seed is printed, and PIPELINE_SEED=<n>
// replays a run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SCENARIOS } from '../../scripts/sse-server.mjs';
import { openPage } from '../support/browser.mjs';
import { serverAndBrowser } from '../support/pages.mjs';

const SEED = process.env.PIPELINE_SEED === undefined ? 0x5eed5 : Number.parseInt(process.env.PIPELINE_SEED, 10);
assert.ok(Number.isSafeInteger(SEED), `PIPELINE_SEED must be an integer, not ${process.env.PIPELINE_SEED}`);
console.log(`pipeline: seed ${SEED} (PIPELINE_SEED=${SEED} replays this run)`);

// ---------------------------------------------------------------------------------------
// A seeded pseudo-random generator (mulberry32): the same seed gives the same streams and cuts.

function randomSource(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick(list) {
      return list[Math.floor(next() * list.length)];
    },
  };
}

// ---------------------------------------------------------------------------------------
// Random event streams.

const utf8 = (s) => [...Buffer.from(s, 'utf8')];
const BOM = [0xef, 0xbb, 0xbf];

// Pieces of field values: plain text, colons and spaces (only the first colon and one space
// count), multi-byte and 4-byte characters, and bytes a decoder must replace with U+FFFD.
const VALUE_PIECES = [
  ...['hello', 'a b', ' lead', '  two', 'x:y', ': colon', '{"n":1}', '42', '007', '\t', 'data', 'id'].map(utf8),
  ...['é', 'ß', '你好', '😀', '€'].map(utf8),
  BOM, // a BOM past the start of the stream is data (U+FEFF)
  [0x00], // NUL: an `id` holding it is ignored
  [0x0d], // a stray CR: it ends the line wherever it is
  [0xff], [0xfe], [0x80], [0xbf], [0xc3], // bytes that never start a sequence, or start one that breaks
  [0xc0, 0x80], // an overlong NUL
  [0xe4, 0xbd], // a 3-byte character cut short
  [0xf0, 0x9f, 0x98], // a 4-byte character cut short
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate, not allowed in UTF-8
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
];
// Field names, weighted towards those that do something; the rest must be ignored.
const NAMES = [
  ...['data', 'data', 'data', 'data', 'event', 'event', 'id', 'id', 'retry', 'retry'],
  ...['', 'Data', 'dat', 'data ', 'x'],
];
const SEPARATORS = [':', ': ', ': ', ':  ', ':\t', ''];
// Only ASCII digits count; past u64 the value saturates.
const RETRY_VALUES = [
  ...['0', '1500', '007', '18446744073709551615', '99999999999999999999999'],
  ...[' 12', '12a', '', '-1', '1.5'],
];
const EVENT_TYPES = ['', 'message', 'ping', 'update', 'über', '😀'];
const LINE_ENDINGS = [[0x0a], [0x0a], [0x0d, 0x0a], [0x0d]];

function randomValue(rng) {
  const value = [];
  for (let n = rng.int(5); n > 0; n -= 1) value.push(...rng.pick(VALUE_PIECES));
  return value;
}

/** Raw noise, biased towards the bytes the parser acts on. */
function noise(rng, length) {
  const special = [0x0a, 0x0d, 0x3a, 0x20, 0x00, 0xef, 0xbb, 0xbf, 0x80, 0xf0];
  return Array.from({ length }, () => (rng.chance(0.4) ? rng.pick(special) : rng.int(256)));
}

function randomLine(rng) {
  const roll = rng.int(100);
  if (roll < 15) return []; // a blank line: dispatch
  if (roll < 25) return [0x3a, ...(rng.chance(0.5) ? [0x20] : []), ...randomValue(rng)]; // a comment
  if (roll < 32) return noise(rng, 1 + rng.int(24));
  const name = rng.pick(NAMES);
  const separator = rng.pick(SEPARATORS);
  let value = randomValue(rng);
  if (name === 'retry' && rng.chance(0.7)) value = utf8(rng.pick(RETRY_VALUES));
  if (name === 'event' && rng.chance(0.6)) value = utf8(rng.pick(EVENT_TYPES));
  if (name === 'id' && rng.chance(0.3)) value = utf8(String(rng.int(1000)));
  // Without a colon the whole line is the field name and the value is empty.
  return [...utf8(name), ...utf8(separator), ...(separator === '' ? [] : value)];
}

/** One random stream, as bytes. */
function randomStream(rng) {
  if (rng.chance(0.08)) return noise(rng, 50 + rng.int(300));
  const bytes = [];
  const start = rng.int(100);
  if (start < 25) bytes.push(...BOM);
  else if (start < 30) bytes.push(...BOM, ...BOM); // only the first is stripped
  else if (start < 34) bytes.push(0xef, 0xbb); // a BOM cut short is data
  for (let lines = 1 + rng.int(25); lines > 0; lines -= 1) bytes.push(...randomLine(rng), ...rng.pick(LINE_ENDINGS));
  const end = rng.int(100);
  if (end < 60) bytes.push(0x0a); // usually the blank line that dispatches the last event
  else if (end < 80) bytes.push(...randomLine(rng)); // an unfinished line at the end
  return bytes;
}

/** Chunkings of `length` bytes, each as its sorted cut offsets: whole, byte by byte, and `random` random ones. */
function chunkings(rng, length, random = 3) {
  const all = [[], Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1)];
  for (let k = 0; k < random; k += 1) {
    const cuts = new Set();
    for (let n = rng.int(Math.min(12, length)); n > 0; n -= 1) cuts.add(1 + rng.int(Math.max(1, length - 1)));
    all.push([...cuts].filter((c) => c < length).sort((a, b) => a - b));
  }
  return all;
}

// ---------------------------------------------------------------------------------------
// The reference: a direct reading of WHATWG HTML §9.2.5 and §9.2.6, on strings, written for
// clarity rather than speed. It decodes the whole stream first, while the implementation
// splits bytes into lines and decodes each line, so the two also check each other there.

const U64_MAX = 2n ** 64n - 1n;

/**
 * The items `bytes` give, in order: `{ kind: 'event', type, data, lastEventId }` (type is
 * the event type buffer, '' without an `event:` field), `{ kind: 'retry', retry }`,
 * `{ kind: 'comment', comment }`, and `error`: null, or 'event_too_large' for a line, an
 * event's data, or a decoded `event:` or `id:` value, longer than `maxEventSize` bytes (the
 * package's documented limit).
 */
function reference(bytes, { maxEventSize = Infinity, dispatchIncompleteEvent = false } = {}) {
  const items = [];
  // [spec] "Streams must be decoded using the UTF-8 decode algorithm." It replaces each
  // invalid sequence with U+FFFD and "strips one leading UTF-8 Byte Order Mark (BOM), if any",
  // which is what TextDecoder does by default.
  const text = new TextDecoder().decode(Uint8Array.from(bytes));
  // [spec] "… reading everything line by line, with a U+000D CARRIAGE RETURN U+000A LINE FEED
  // (CRLF) character pair, a single U+000A LINE FEED (LF) character not preceded by a U+000D
  // CARRIAGE RETURN (CR) character, and a single U+000D CARRIAGE RETURN (CR) character not
  // followed by a U+000A LINE FEED (LF) character being the ways in which a line can end."
  // The last element is what follows the last line ending: an unfinished line, or ''.
  const lines = text.split(/\r\n|\r|\n/);
  // The size limit counts a line's bytes as they arrive, before decoding.
  const body = bytes.slice(0, 3).every((b, i) => b === BOM[i]) && bytes.length >= 3 ? bytes.slice(3) : bytes;
  const rawLines = Buffer.from(body).toString('latin1').split(/\r\n|\r|\n/);
  assert.equal(rawLines.length, lines.length, 'decoding never adds or removes a line ending');

  let data = '';
  let type = '';
  let idBuffer = '';
  let lastEventId = '';
  const tooLarge = () => ({ items, error: 'event_too_large' });

  // [spec] "When the user agent is required to dispatch the event …"
  const dispatch = () => {
    // [spec] "1. Set the last event ID string of the event source to the value of the last
    // event ID buffer."
    lastEventId = idBuffer;
    // [spec] "2. If the data buffer is an empty string, set the data buffer and the event
    // type buffer to the empty string and return."
    if (data === '') {
      type = '';
      return;
    }
    // [spec] "3. If the data buffer's last character is a U+000A LINE FEED (LF) character,
    // then remove the last character from the data buffer."
    if (data.endsWith('\n')) data = data.slice(0, -1);
    items.push({ kind: 'event', type, data, lastEventId });
    data = '';
    type = '';
  };

  // Returns false when the line breaks the size limit.
  const processLine = (line) => {
    // [spec] "If the line is empty (a blank line): Dispatch the event."
    if (line === '') return dispatch(), true;
    // [spec] "If the line starts with a U+003A COLON character (:): Ignore the line."
    // The package still reports its text, one leading space removed, as a comment.
    if (line.startsWith(':')) {
      items.push({ kind: 'comment', comment: line.slice(1).replace(/^ /, '') });
      return true;
    }
    // [spec] "If the line contains a U+003A COLON character (:): Collect the characters on
    // the line before the first U+003A COLON character (:), and let field be that string.
    // Collect the characters on the line after the first U+003A COLON character (:), and let
    // value be that string. If value starts with a U+0020 SPACE character, remove it from
    // value. Otherwise, … using the whole line as the field name, and the empty string as
    // the field value."
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    // [spec] "Field names must be compared literally, with no case folding performed."
    if (field === 'data') {
      // The documented limit on one event's data, in UTF-8 bytes, as data so far plus this value.
      if (Buffer.byteLength(data) + Buffer.byteLength(value) > maxEventSize) return false;
      // [spec] "Append the field value to the data buffer, then append a single U+000A LINE
      // FEED (LF) character to the data buffer."
      data += `${value}\n`;
    } else if (field === 'event') {
      // The limit also holds for the value decoded (an invalid byte becomes three).
      if (Buffer.byteLength(value) > maxEventSize) return false;
      // [spec] "Set the event type buffer to the field value."
      type = value;
    } else if (field === 'id') {
      // [spec] "If the field value does not contain U+0000 NULL, then set the last event ID
      // buffer to the field value. Otherwise, ignore the field."
      if (value.includes('\0')) return true;
      if (Buffer.byteLength(value) > maxEventSize) return false;
      idBuffer = value;
    } else if (field === 'retry') {
      // [spec] "If the field value consists of only ASCII digits, then interpret the field
      // value as an integer in base ten, and set the event stream's reconnection time to that
      // integer. Otherwise, ignore the field." (Past u64 the package saturates.)
      if (/^[0-9]+$/.test(value)) {
        const ms = BigInt(value);
        items.push({ kind: 'retry', retry: Number(ms > U64_MAX ? U64_MAX : ms) });
      }
    }
    // [spec] "Otherwise: The field is ignored."
    return true;
  };

  const last = lines.length - 1;
  for (let i = 0; i < last; i += 1) {
    if (rawLines[i].length > maxEventSize || !processLine(lines[i])) return tooLarge();
  }
  // The unfinished line counts against the limit while it arrives, though it never dispatches.
  if (rawLines[last].length > maxEventSize) return tooLarge();
  // [spec] "Once the end of the file is reached, any pending data must be discarded. (If the
  // file ends in the middle of an event, before the final empty line, the incomplete event is
  // not dispatched.)" The package's dispatchIncompleteEvent option processes that line and
  // dispatches instead.
  if (dispatchIncompleteEvent) {
    if (lines[last] !== '' && !processLine(lines[last])) return tooLarge();
    dispatch();
  }
  return { items, error: null };
}

// ---------------------------------------------------------------------------------------
// The reference's items as each API shows them.

/** `createParser`/`parseEventStream` items, and their ParseError. */
function asParserItems({ items, error }, maxEventSize) {
  return {
    items: items.map((item) => (item.kind === 'event' ? { ...item, type: item.type || 'message' } : item)),
    error: error && { name: 'ParseError', reason: error, limit: maxEventSize },
  };
}

const base64 = (bytes) => Buffer.from(bytes).toString('base64');
const hex = (bytes) => Buffer.from(bytes).toString('hex');

/** A failure message that is enough to replay the case. */
const where = (index, stream, cuts, via) =>
  `seed ${SEED}, stream #${index} (${via}, cuts ${cuts.length > 40 ? 'after every byte' : `[${cuts}]`})\n` +
  `  bytes: ${hex(stream)}\n  text: ${JSON.stringify(Buffer.from(stream).toString('latin1'))}`;

// ---------------------------------------------------------------------------------------
// In-page runners: they run in Chromium, so they only use what they are given.

// Runs in the page: each stream through createParser at each of its chunkings, then through
// parseEventStream over a ReadableStream and an async iterable (both at its last chunking) and
// over a Response (cut as the browser likes). Returns, for each stream, one
// `{ via, cuts, items, error }` per run.
async function parseInPage({ cases, options }) {
  const { createParser, parseEventStream } = await import('/pkg/index.js');
  const describeError = (e) =>
    e?.name === 'ParseError'
      ? { name: e.name, reason: e.reason, limit: e.limit }
      : { name: e?.name, message: String(e?.message ?? e) };
  const pieces = (bytes, cuts) => [0, ...cuts].map((at, i) => bytes.subarray(at, cuts[i] ?? bytes.length));
  const results = [];
  for (const { stream, chunkings } of cases) {
    const bytes = Uint8Array.from(atob(stream), (c) => c.charCodeAt(0));
    const runs = [];
    for (const cuts of chunkings) {
      const parser = await createParser(options);
      const items = [];
      let error = null;
      try {
        for (const piece of pieces(bytes, cuts)) items.push(...parser.feed(piece));
        items.push(...parser.finish());
      } catch (e) {
        // A ParseError carries the items its chunk completed before the limit.
        items.push(...(e?.items ?? []));
        error = describeError(e);
      }
      parser.free();
      runs.push({ via: 'createParser', cuts, items, error });
    }
    const iterate = async (via, cuts, input) => {
      const items = [];
      let error = null;
      try {
        for await (const item of parseEventStream(input, options)) items.push(item);
      } catch (e) {
        error = describeError(e);
      }
      runs.push({ via, cuts, items, error });
    };
    const readable = (cuts) =>
      new ReadableStream({
        start(controller) {
          for (const piece of pieces(bytes, cuts)) controller.enqueue(piece);
          controller.close();
        },
      });
    const cuts = chunkings.at(-1);
    await iterate('parseEventStream(ReadableStream)', cuts, readable(cuts));
    await iterate('parseEventStream(Response)', [], new Response(bytes));
    await iterate('parseEventStream(async iterable)', cuts, (async function* chunks() {
      yield* pieces(bytes, cuts);
    })());
    results.push(runs);
  }
  return results;
}

// Runs in the page: each stream through the connection engine, as `EventSource` and as
// `fetchEventSource`, with a `fetch` option whose Response body delivers the chosen chunks.
// `EventSource` runs record, in order, every message event of the expected types (the event
// handlers a user would add), every comment and `retry:` (onComment/onRetry), and separately
// everything the async iterator yields, which catches events of unexpected types. The
// source is closed at its first `error` event: the end of the body, or a ParseError.
async function connectInPage({ cases, options, which }) {
  const { EventSource, fetchEventSource } = await import('/pkg/index.js');
  const pieces = (bytes, cuts) => [0, ...cuts].map((at, i) => bytes.subarray(at, cuts[i] ?? bytes.length));
  const respond = (bytes, cuts) => async () =>
    new Response(
      new ReadableStream({
        start(controller) {
          for (const piece of pieces(bytes, cuts)) controller.enqueue(piece);
          controller.close();
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  const viaEventSource = (url, init, types) =>
    new Promise((resolve) => {
      const items = [];
      const source = new EventSource(url, {
        ...init,
        onComment: (comment) => items.push({ kind: 'comment', comment }),
        onRetry: (retry) => items.push({ kind: 'retry', retry }),
      });
      const iterator = source[Symbol.asyncIterator]();
      const asItem = (e) => ({ kind: 'event', type: e.type, data: e.data, lastEventId: e.lastEventId });
      const record = (e) => items.push({ ...asItem(e), origin: e.origin });
      for (const type of types) source.addEventListener(type, record);
      source.addEventListener('error', async (e) => {
        if (e instanceof MessageEvent) return; // an `event: error` from the stream, recorded above
        source.close();
        // The iterator yields what it queued, then ends, or throws the error that failed the source.
        const iterated = [];
        let iterationError = null;
        try {
          for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
            iterated.push(asItem(next.value));
          }
        } catch (thrown) {
          iterationError = thrown?.reason;
        }
        const error = e.willRetry ? null : { reason: e.reason, limit: e.error?.limit, iterationError };
        resolve({ items, iterated, error, willRetry: e.willRetry });
      });
      // A source that never reports the end of its body fails the comparison instead of hanging.
      setTimeout(() => resolve({ items, timedOut: true, readyState: source.readyState }), 3000);
    });
  const viaFetchEventSource = async (url, init) => {
    const messages = [];
    let error = null;
    try {
      await fetchEventSource(url, {
        ...init,
        openWhenHidden: true,
        onmessage: (message) => messages.push(message),
        onerror: (e) => {
          throw e;
        },
      });
    } catch (e) {
      error = { reason: e?.reason, message: String(e?.message ?? e) };
    }
    return { messages, error };
  };
  const results = [];
  for (const { stream, url, chunkings, types } of cases) {
    const bytes = stream === undefined ? null : Uint8Array.from(atob(stream), (c) => c.charCodeAt(0));
    const runs = [];
    for (const cuts of chunkings ?? [null]) {
      // Without a stream, `url` is a real server route and the network picks the chunks.
      const init = bytes ? { ...options, fetch: respond(bytes, cuts) } : { ...options };
      const target = url ?? '/pipeline-stream';
      if (which === 'EventSource') runs.push({ cuts, ...(await viaEventSource(target, init, types)) });
      else runs.push({ cuts, ...(await viaFetchEventSource(target, init)) });
    }
    results.push(runs);
  }
  return results;
}

// ---------------------------------------------------------------------------------------
// The tests.

const live = serverAndBrowser();
let page;

before(async () => {
  await live.ready;
  page = await openPage(live.browser, live.server.url);
});

/** `count` random streams from their own branch of the seed, with their chunkings. */
function randomCases(branch, count, random = 3) {
  const rng = randomSource(SEED ^ branch);
  return Array.from({ length: count }, () => {
    const stream = randomStream(rng);
    return { stream, chunkings: chunkings(rng, stream.length, random) };
  });
}

/** Asserts each run of each case gives `expected(stream)`; returns how many runs were checked. */
function assertRuns(cases, results, expected) {
  let runs = 0;
  cases.forEach(({ stream }, index) => {
    const want = expected(stream);
    for (const { via, cuts, ...got } of results[index]) {
      assert.deepEqual(got, want, where(index, stream, cuts ?? [], via));
      runs += 1;
    }
  });
  return runs;
}

describe('createParser and parseEventStream on random streams', () => {
  for (const { title, branch, count, options } of [
    { title: 'the default options', branch: 1, count: 300, options: {} },
    // Small limits make some lines and events too large: the error must come at the same
    // point of the stream, after the same items, however the stream is cut.
    { title: 'a small maxEventSize', branch: 2, count: 150, options: { maxEventSize: 24 } },
    { title: 'dispatchIncompleteEvent', branch: 3, count: 150, options: { dispatchIncompleteEvent: true } },
  ]) {
    test(`every chunking gives the reference's items and error, with ${title}`, async () => {
      const cases = randomCases(branch, count);
      const results = await page.evaluate(parseInPage, {
        cases: cases.map(({ stream, chunkings: c }) => ({ stream: base64(stream), chunkings: c })),
        options,
      });
      const expected = (stream) => asParserItems(reference(stream, options), options.maxEventSize);
      const runs = assertRuns(cases, results, expected);
      // The generator must reach what the test is about, or the test proves little.
      const outcomes = cases.map(({ stream }) => reference(stream, options));
      const events = outcomes.flatMap((o) => o.items).filter((i) => i.kind === 'event');
      assert.ok(events.length > count / 2, `${events.length} events in ${count} streams`);
      assert.ok(events.some((e) => e.data.includes('\uFFFD')), 'some event data holds a U+FFFD');
      assert.ok(events.some((e) => e.data.includes('\uFEFF')), 'some event data holds a U+FEFF');
      assert.ok(events.some((e) => `${e.data}${e.lastEventId}`.includes('😀')), 'some event holds an emoji');
      if (options.maxEventSize) {
        const failed = outcomes.filter((o) => o.error).length;
        assert.ok(failed > count / 4 && failed < count, `${failed} of ${count} streams hit the limit`);
      }
      console.log(`pipeline: ${title}: ${count} streams, ${events.length} events, ${runs} runs compared`);
    });
  }
});

/** Item kinds and shapes as `EventSource` shows them (comments and retries through its init observers). */
function asEventSourceRun({ items, error }, maxEventSize, origin) {
  const shown = items.map((item) => (item.kind === 'event' ? { ...item, type: item.type || 'message', origin } : item));
  const events = shown.filter((i) => i.kind === 'event').map(({ origin: _origin, ...event }) => event);
  return {
    items: shown,
    iterated: events,
    error: error && { reason: error, limit: maxEventSize, iterationError: error },
    willRetry: !error,
  };
}

/** Messages as `fetchEventSource` passes them to onmessage: a `retry:` rides on the next message. */
function asFetchEventSourceRun({ items }) {
  const messages = [];
  let retry;
  for (const item of items) {
    if (item.kind === 'retry') retry = item.retry;
    if (item.kind !== 'event') continue;
    // 2.0.1's four keys, `retry` undefined unless a `retry:` came since the last message.
    const message = { data: item.data, event: item.type, id: item.lastEventId, retry };
    retry = undefined;
    messages.push(message);
  }
  return { messages, error: null };
}

/** The event types an EventSource test listens for: those the reference dispatches, and `message`. */
function typesOf(stream, options) {
  const events = reference(stream, options).items.filter((i) => i.kind === 'event');
  return [...new Set(['message', ...events.map((i) => i.type || 'message')])];
}

/** Runs `which` API over each case's chunkings, with the default options, against the reference. */
async function deliversAsReference(which, cases) {
  const results = await page.evaluate(connectInPage, {
    cases: cases.map(({ stream, chunkings: c }) => ({ stream: base64(stream), chunkings: c, types: typesOf(stream, {}) })),
    options: {},
    which,
  });
  const expected =
    which === 'EventSource'
      ? (stream) => asEventSourceRun(reference(stream), undefined, live.server.url)
      : (stream) => asFetchEventSourceRun(reference(stream));
  assert.equal(assertRuns(cases, results, expected), cases.reduce((runs, c) => runs + c.chunkings.length, 0));
}

/**
 * Runs createParser and parseEventStream over each case's chunkings, against the reference;
 * returns how many runs matched (each chunking, through each of the parser's ways in).
 */
async function parsesAsReference(cases, options = {}) {
  const results = await page.evaluate(parseInPage, {
    cases: cases.map(({ stream, chunkings: c }) => ({ stream: base64(stream), chunkings: c })),
    options,
  });
  return assertRuns(cases, results, (stream) => asParserItems(reference(stream, options), options.maxEventSize));
}

describe('the connection engine on random streams, chunked by a fetch option', () => {
  for (const { title, branch, count, options } of [
    { title: 'the default options', branch: 4, count: 100, options: {} },
    { title: 'a small maxEventSize', branch: 5, count: 60, options: { maxEventSize: 24 } },
  ]) {
    test(`EventSource delivers the reference's events, comments and retries, with ${title}`, async () => {
      const cases = randomCases(branch, count, 1);
      const results = await page.evaluate(connectInPage, {
        cases: cases.map(({ stream, chunkings: c }) => ({
          stream: base64(stream),
          chunkings: c,
          types: typesOf(stream, options),
        })),
        options,
        which: 'EventSource',
      });
      // A constructed Response has no URL, so events carry the page's origin.
      const origin = live.server.url;
      const expected = (stream) => asEventSourceRun(reference(stream, options), options.maxEventSize, origin);
      assertRuns(cases, results, expected);
    });
  }

  test("fetchEventSource passes the reference's messages to onmessage", async () => {
    const cases = randomCases(6, 100, 1);
    const results = await page.evaluate(connectInPage, {
      cases: cases.map(({ stream, chunkings: c }) => ({ stream: base64(stream), chunkings: c })),
      options: {},
      which: 'fetchEventSource',
    });
    assertRuns(cases, results, (stream) => asFetchEventSourceRun(reference(stream)));
  });
});

describe('the connection engine on random streams over HTTP', () => {
  // Random streams served as scenario routes (scripts/sse-server.mjs), whose chunks the
  // server writes a few milliseconds apart so the browser sees these boundaries. They are
  // added to the running server's scenarios and removed afterwards.
  const rng = randomSource(SEED ^ 7);
  const served = Array.from({ length: 6 }, (_, i) => {
    const stream = randomStream(rng);
    const [, bytewise, cuts] = chunkings(rng, stream.length, 1);
    // One of them byte by byte, the others at random cuts.
    const offsets = i === 0 ? bytewise : cuts;
    const chunks = [0, ...offsets].map((at, k) => Buffer.from(stream.slice(at, offsets[k] ?? stream.length)));
    return { stream, name: `pipeline-${SEED}-${i}`, chunks };
  });

  before(() => {
    for (const { name, chunks } of served) SCENARIOS[name] = chunks;
  });
  after(() => {
    for (const { name } of served) delete SCENARIOS[name];
  });

  test("EventSource delivers the reference's events, comments and retries", async () => {
    const results = await page.evaluate(connectInPage, {
      cases: served.map(({ stream, name }) => ({ url: `/sse/${name}?delay=2`, types: typesOf(stream, {}) })),
      options: {},
      which: 'EventSource',
    });
    assertRuns(served, results, (stream) => asEventSourceRun(reference(stream), undefined, live.server.url));
  });

  test("fetchEventSource passes the reference's messages to onmessage", async () => {
    const results = await page.evaluate(connectInPage, {
      cases: served.map(({ name }) => ({ url: `/sse/${name}?delay=2` })),
      options: {},
      which: 'fetchEventSource',
    });
    assertRuns(served, results, (stream) => asFetchEventSourceRun(reference(stream)));
  });
});

describe('regressions these properties found', () => {
  test('a run of messages in one batch carries the last event ID of the item before it', async () => {
    // Events without a type that keep the last event ID cross into JavaScript as a run of
    // data lengths; everything that ends a run or changes the ID is here, in one chunk
    // (one batch) and byte by byte (one batch per event).
    const text = [
      'data: a\n\n', 'data: b\n\n', ': c\n', 'data: c\n\n', 'id: 7\ndata: d\n\n', 'data: e\n\n',
      'event: named\ndata: f\n\n', 'data: g\n\n', 'retry: 50\n', 'data: h\n\n', 'id: 9\n\n',
      'data: i\n\n', 'id\ndata: j\n\n', 'data: k\n\n', 'id: é\ndata: l\n\n', 'data: m\n\n',
    ].join('');
    const stream = utf8(text);
    const events = reference(stream).items.filter((i) => i.kind === 'event');
    assert.deepEqual(
      events.map((e) => `${e.data}${e.lastEventId}`),
      ['a', 'b', 'c', 'd7', 'e7', 'f7', 'g7', 'h7', 'i9', 'j', 'k', 'lé', 'mé'],
    );
    const cases = [{ stream, chunkings: [[], Array.from({ length: stream.length - 1 }, (_, i) => i + 1)] }];
    for (const which of ['EventSource', 'fetchEventSource']) await deliversAsReference(which, cases);
    assert.ok((await parsesAsReference(cases)) >= 2);
  });

  test('fields past ASCII longer than the 127-byte blocks their UTF-16 length is counted in', async () => {
    // The batch gives JavaScript each field's length in UTF-16 units, counted 127 bytes at a
    // time: characters of one to four bytes straddle the blocks' edges here, in events of
    // 100 to 400 bytes, with a named type and an id past ASCII too.
    const pieces = ['a', 'é', '中', '😀'];
    const events = [];
    for (let n = 100; n <= 400; n += 7) {
      let data = '';
      for (let i = 0; Buffer.byteLength(data) < n; i++) data += pieces[(i * 7 + n) % 4];
      events.push(n % 3 ? `data: ${data}\n\n` : `event: 😀${n}\nid: é${n}\ndata: ${data}\n\n`);
    }
    const stream = utf8(events.join(''));
    const got = reference(stream).items.filter((i) => i.kind === 'event');
    assert.equal(got.length, events.length);
    assert.ok(got.some((e) => Buffer.byteLength(e.data) > 3 * 127), 'some data spans four blocks');
    const cases = [{ stream, chunkings: [[], [1000, 5000, 9000]] }];
    for (const which of ['EventSource', 'fetchEventSource']) await deliversAsReference(which, cases);
    assert.ok((await parsesAsReference(cases)) >= 2);
  });

  test('EventSource keeps a U+FEFF that starts the text of a chunk: data, and the id after it', async () => {
    // The leading BOM is stripped; the one in the data starts the chunk's batch text, which
    // the batch decoder stripped as if it began a stream, moving every slice after it by one.
    const stream = [...BOM, ...utf8('data: \uFEFFkept\nid: 7\n\n')];
    const cases = [{ stream }];
    const results = await page.evaluate(connectInPage, {
      cases: [{ stream: base64(stream), chunkings: [[]], types: ['message'] }],
      options: {},
      which: 'EventSource',
    });
    const kept = { kind: 'event', type: 'message', data: '\uFEFFkept', lastEventId: '7', origin: live.server.url };
    assert.deepEqual(results[0][0].items, [kept]);
    assertRuns(cases, results, (bytes) => asEventSourceRun(reference(bytes), undefined, live.server.url));
  });

  test('a ParseError keeps the items its chunk completed first, and parseEventStream yields them', async () => {
    // Fed whole, the chunk that completes `ok` also crosses the limit: `ok` was lost, though
    // byte by byte it arrived before the error.
    const outcome = await page.evaluate(async () => {
      const { createParser, parseEventStream } = await import('/pkg/index.js');
      const text = `data: ok\n\n: tick\ndata: ${'x'.repeat(64)}\n\n`;
      const parser = await createParser({ maxEventSize: 32 });
      let thrown;
      try {
        parser.feed(text);
      } catch (e) {
        thrown = { reason: e.reason, items: e.items };
      }
      const yielded = [];
      let error = null;
      try {
        for await (const item of parseEventStream([text], { maxEventSize: 32 })) yielded.push(item);
      } catch (e) {
        error = e.reason;
      }
      return { thrown, yielded, error };
    });
    const items = [
      { kind: 'event', type: 'message', data: 'ok', lastEventId: '' },
      { kind: 'comment', comment: 'tick' },
    ];
    assert.deepEqual(outcome, {
      thrown: { reason: 'event_too_large', items },
      yielded: items,
      error: 'event_too_large',
    });
  });
});

describe('large events, whose data JavaScript decodes on its own', () => {
  // The engine hands an event's data of 16 KiB or more to JavaScript beside the batch
  // instead of copying it into the batch's text (src/bindings/connection.rs): such events
  // among small ones, with types, IDs, a BOM, multi-byte and invalid UTF-8, lines cut
  // anywhere, must come out as the reference says.
  const OWN_DATA_MIN = 16 * 1024;
  const fill = (length, piece) => {
    const out = [];
    while (out.length < length) out.push(...piece);
    return out.slice(0, length);
  };
  const line = (text) => utf8(`${text}\n`);
  const stream = [
    ...BOM,
    ...line('data: small'),
    ...line(''),
    // One byte under the threshold, and exactly at it: both sides of the switch.
    ...line('event: big'),
    ...line('id: 1'),
    ...utf8('data: '), ...fill(OWN_DATA_MIN - 1, utf8('x')), ...line(''),
    ...line(''),
    ...utf8('data: '), ...fill(OWN_DATA_MIN, utf8('y')), ...line(''),
    ...line(''),
    ...line('retry: 500'),
    ...line('event: über'),
    ...line('id: é2'),
    // Over three data lines: a U+FEFF first, characters of 2, 3 and 4 bytes, invalid bytes
    // (cut characters included, since a line may end in the middle of one).
    ...utf8('data: \uFEFF'), ...fill(12000, [...utf8('€😀aé'), 0xff]), ...line(''),
    ...utf8('data: '), ...fill(9000, [...utf8('你好'), 0xf0, 0x9f, 0x98]), ...line(''),
    ...line('data: end'),
    ...line(''),
    ...line(': between'),
    ...line('data: after'),
    ...line(''),
    // Two large events in a row, the second without an ID field (it keeps the last one).
    ...utf8('data: '), ...fill(40000, utf8('{"k":"v"},')), ...line(''),
    ...line(''),
    ...line('event: two'),
    ...utf8('data: '), ...fill(20000, utf8('z')), ...line(''),
    ...line(''),
    // Unfinished at the end: never dispatched.
    ...utf8('data: '), ...fill(OWN_DATA_MIN, utf8('w')), ...line(''),
  ];
  const rng = randomSource(SEED ^ 8);
  const [whole, , ...random] = chunkings(rng, stream.length, 4);
  // Cut inside and right around the large events too, and in 1 KiB pieces.
  const kib = Array.from({ length: Math.floor((stream.length - 1) / 1024) }, (_, i) => (i + 1) * 1024);
  const cases = [{ stream, chunkings: [whole, ...random, kib] }];

  test('the reference sees events on both sides of the threshold', () => {
    const sizes = reference(stream).items.filter((i) => i.kind === 'event').map((e) => e.data.length);
    assert.ok(sizes.some((n) => n === OWN_DATA_MIN - 1) && sizes.filter((n) => n >= OWN_DATA_MIN).length >= 3, `${sizes}`);
  });

  for (const which of ['EventSource', 'fetchEventSource']) {
    test(`${which} delivers them as the reference does, however the stream is cut`, () => deliversAsReference(which, cases));
  }

  test("fetchEventSource: onmessage throwing on a large event drops the chunk's later events", async () => {
    // A large event is handed over on its own, in the middle of its chunk: a throw there
    // must end the connection as a throw anywhere does, with nothing after it delivered,
    // large or small.
    const large = (c) => `data: ${c.repeat(OWN_DATA_MIN)}\n\n`;
    const text = `data: a\n\n${large('b')}${large('d')}data: c\n\n`;
    const outcome = await page.evaluate(async (body) => {
      const { fetchEventSource } = await import('/pkg/index.js');
      const seen = [];
      let caught;
      try {
        await fetchEventSource('/unused', {
          fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
          openWhenHidden: true,
          onmessage: (m) => {
            seen.push(m.data.length);
            if (m.data.length > 1) throw new Error('stop here');
          },
          onerror: (e) => {
            throw e;
          },
        });
      } catch (e) {
        caught = e.message;
      }
      return { seen, caught };
    }, text);
    assert.deepEqual(outcome, { seen: [1, OWN_DATA_MIN], caught: 'stop here' });
  });
});

describe('chunks over 64 KiB, which the engine parses in pieces', () => {
  // The engine hands a chunk of more than 64 KiB to the parser 64 KiB at a time
  // (src/transport/sys.rs, `pump`). A CRLF, a four-byte character and a lone CR placed
  // across those cuts, among random lines, must come out as the reference says, whether
  // the stream arrives whole or in chunks that are cut elsewhere.
  const PIECE = 64 * 1024;
  const rng = randomSource(SEED ^ 9);
  const stream = [...BOM];
  const randomLinesUpTo = (length) => {
    while (stream.length < length) stream.push(...randomLine(rng), ...rng.pick(LINE_ENDINGS));
    stream.push(0x0a); // end whatever event the random lines left open
  };
  // A data line padded so that the next byte lands at `offset`.
  const dataLineUpTo = (offset) => {
    stream.push(...utf8('data: '));
    while (stream.length < offset) stream.push(0x70);
  };
  randomLinesUpTo(PIECE - 200);
  dataLineUpTo(PIECE - 1);
  stream.push(0x0d, 0x0a, 0x0d, 0x0a); // CR the last byte of the first piece, LF the first of the next
  randomLinesUpTo(2 * PIECE - 200);
  dataLineUpTo(2 * PIECE - 2);
  stream.push(...utf8('😀\n\n')); // two bytes on each side of the cut
  randomLinesUpTo(3 * PIECE - 200);
  dataLineUpTo(3 * PIECE - 1);
  stream.push(0x0d, ...utf8('data: after a lone CR\n\n')); // the CR ends the piece
  randomLinesUpTo(3 * PIECE + 5000);
  const [whole, , ...random] = chunkings(rng, stream.length, 2);
  const cases = [{ stream, chunkings: [whole, [70000], [PIECE + 1, 3 * PIECE - 2], ...random] }];

  test('the stream puts a CRLF, a four-byte character and a lone CR across the cuts', () => {
    assert.deepEqual(stream.slice(PIECE - 1, PIECE + 1), [0x0d, 0x0a]);
    assert.deepEqual(stream.slice(2 * PIECE - 2, 2 * PIECE + 2), utf8('😀'));
    assert.deepEqual(stream.slice(3 * PIECE - 1, 3 * PIECE + 1), [0x0d, 0x64]);
    const events = reference(stream).items.filter((i) => i.kind === 'event');
    assert.ok(events.some((e) => e.data.endsWith('😀')) && events.some((e) => e.data.endsWith('\nafter a lone CR')), `${events.length} events`);
  });

  for (const which of ['EventSource', 'fetchEventSource']) {
    test(`${which} delivers the reference's items from chunks of up to ${Math.ceil(stream.length / 1024)} KiB`, () =>
      deliversAsReference(which, cases));
  }

  // createParser's feed takes such a chunk whole, in one call into wasm: the same items
  // again, and with a limit that a 70 KB line past the stream's end breaks, a ParseError
  // whose items hold everything the chunk completed before it.
  const tooLong = [...stream, ...utf8(`data: ${'x'.repeat(70_000)}\n\ndata: after\n\n`)];
  for (const [options, input] of [[{}, stream], [{ maxEventSize: 65_536 }, tooLong]]) {
    test(`createParser and parseEventStream give the reference's items from chunks of up to ${Math.ceil(input.length / 1024)} KiB, options ${JSON.stringify(options)}`, async () => {
      const runs = [{ stream: input, chunkings: cases[0].chunkings.filter((c) => c.every((at) => at < input.length)) }];
      assert.ok((await parsesAsReference(runs, options)) >= runs[0].chunkings.length);
      const outcome = reference(input, options);
      assert.equal(Boolean(outcome.error), Boolean(options.maxEventSize), 'the limit is crossed where there is one');
      assert.ok(outcome.items.filter((i) => i.kind === 'event').length > 10, 'events come before any error');
    });
  }
});

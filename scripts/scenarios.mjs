// Behavioural routes for the local test server (scripts/sse-server.mjs): CORS, a request
// log that tests read back, and `/sse/<name>` handlers for reconnection, resumption,
// error statuses, named events and aborts. Node built-ins only.

/**
 * `Last-Event-ID` as the client meant it. Clients send the id's UTF-8 bytes as a byte
 * string and Node reads header values as latin1, so re-read those bytes as UTF-8.
 */
export function lastEventId(req) {
  const value = req.headers['last-event-id'];
  return value === undefined ? null : Buffer.from(value, 'latin1').toString('utf8');
}

/** Reads the whole request body as UTF-8 text ('' when there is none). */
export async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------------------
// CORS: the wasm test runner serves its page from another 127.0.0.1 port, so its fetches
// to `/sse/` and `/log/` are cross-origin, often with credentials or an Authorization header;
// the demo endpoints (`/events`, `/v1/`) may be called from a user's own dev server too.

export const CORS_PREFIXES = ['/sse/', '/log/', '/events', '/v1/'];

/** Adds CORS headers to `res`; they merge into whatever the route later passes to writeHead. */
export function allowCors(req, res) {
  const origin = req.headers.origin;
  res.setHeader('access-control-allow-origin', origin ?? '*');
  if (origin !== undefined) res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('access-control-expose-headers', '*');
  res.setHeader('vary', 'Origin');
}

/** Answers a preflight. The requested headers are echoed because `*` does not cover Authorization. */
export function preflight(req, res) {
  const headers = { 'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS', 'access-control-max-age': '600' };
  const requested = req.headers['access-control-request-headers'];
  if (requested) headers['access-control-allow-headers'] = requested;
  res.writeHead(204, headers);
  res.end();
}

// ---------------------------------------------------------------------------------------
// The request log: every `/sse/…?key=<key>` request, so a test can see what its client sent
// (method, headers, body, Last-Event-ID), how often it reconnected and when it hung up.

export function createRequestLog() {
  const byKey = new Map();
  const get = (key) => byKey.get(key) ?? [];
  return {
    /** Records a request; `at` is when it arrived (before its body was read). */
    record(key, req, res, body, at) {
      if (!byKey.has(key)) byKey.set(key, []);
      const entries = byKey.get(key);
      const url = new URL(req.url, 'http://127.0.0.1');
      const entry = {
        n: entries.length + 1,
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        lastEventId: lastEventId(req),
        at,
        closedAt: null,
      };
      entries.push(entry);
      // 'close' fires once the response is finished or its connection is gone, whichever first.
      res.on('close', () => {
        entry.closedAt = Date.now();
      });
      return entry;
    },
    get,
    /** Resolves with the log once it holds `count` entries; rejects after `ms`. */
    async waitFor(key, count, ms = 5000) {
      const deadline = Date.now() + ms;
      while (get(key).length < count) {
        if (Date.now() >= deadline) {
          throw new Error(`waitForRequests: expected ${count} request(s) with key "${key}" within ${ms} ms, saw ${get(key).length}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      return get(key);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Helpers for the handlers below.

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' };

/**
 * Starts an event stream: headers go out at once (so a client's fetch resolves before the
 * first event), Nagle is off so each write leaves as its own packet, and every timer made
 * through the returned `after`/`every` is cleared when the response closes.
 */
export function openStream(ctx) {
  const { res, track } = ctx;
  track(res);
  res.writeHead(200, SSE_HEADERS);
  res.socket?.setNoDelay(true);
  res.flushHeaders();
  const timers = new Set();
  res.on('close', () => {
    for (const t of timers) clearTimeout(t); // clearTimeout clears intervals too
    timers.clear();
  });
  const live = () => !res.destroyed && !res.writableEnded;
  return {
    write: (chunk, done) => live() && res.write(chunk, done),
    end: () => live() && res.end(),
    after(ms, fn) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (live()) fn();
      }, ms);
      timers.add(t);
    },
    every(ms, fn) {
      const t = setInterval(() => live() && fn(), ms);
      timers.add(t);
    },
    /** Keeps an idle stream open with a comment every second, as real servers do. */
    keepAlive() {
      this.every(1000, () => res.write(': keep-alive\n\n'));
    },
  };
}

/** Writes `chunks` `delay` ms apart, then calls `then`. */
function writeSpaced(stream, chunks, delay, then) {
  let i = 0;
  const next = () => {
    stream.write(chunks[i++]);
    if (i < chunks.length) stream.after(delay, next);
    else then();
  };
  if (chunks.length) next();
  else then();
}

/** A non-negative integer query parameter, or `fallback`. */
function intParam(params, name, fallback) {
  const n = Number.parseInt(params.get(name) ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** A status code Node will accept, or `fallback`. */
function statusParam(params, fallback) {
  const code = intParam(params, 'code', fallback);
  return code >= 100 && code <= 599 ? code : fallback;
}

/** Content-Type from `?type=`: `none` sends no header at all. */
function typeHeader(params, fallback) {
  const type = params.get('type') ?? fallback;
  return type === 'none' ? {} : { 'content-type': type };
}

const NO_BODY = new Set([204, 205, 304]);

// ---------------------------------------------------------------------------------------
// Route handlers: `/sse/<name>`, each called as handler(ctx) with
// ctx = { req, res, params, body, entry (the log entry, or null without ?key=), track }.

/** `/sse/echo` (any method): one `request` event describing what arrived; `?end=1` then ends. */
function echo(ctx) {
  const { req, params, body, entry } = ctx;
  const stream = openStream(ctx);
  const seen = { method: req.method, headers: req.headers, body, lastEventId: lastEventId(req), n: entry?.n ?? 1 };
  stream.write(`event: request\ndata: ${JSON.stringify(seen)}\n\n`);
  if (params.get('end') === '1') stream.end();
  else stream.keepAlive();
}

/**
 * `/sse/resume?total=N&dropAfter=K&retry=MS&interval=MS`: numbered events from
 * Last-Event-ID + 1; after K events the connection is cut (not ended) so the client must
 * reconnect and resume. Event N ends the stream cleanly; a client already past N gets 204.
 * With `burst=1`, the events up to N go out in one write (one network chunk), then the end.
 */
function resume(ctx) {
  const { req, res, params } = ctx;
  const total = intParam(params, 'total', 10);
  const dropAfter = Math.max(1, intParam(params, 'dropAfter', 3));
  const retry = intParam(params, 'retry', 200);
  const interval = intParam(params, 'interval', 20);
  const last = Number.parseInt(lastEventId(req) ?? '', 10);
  if (Number.isFinite(last) && last >= total) {
    res.writeHead(204);
    return res.end();
  }
  let n = Number.isFinite(last) ? last + 1 : 1;
  let sent = 0;
  const stream = openStream(ctx);
  stream.write(`retry: ${retry}\n\n`);
  if (params.get('burst') === '1') {
    let events = '';
    for (; n <= total; n++) events += `id: ${n}\ndata: ${n}\n\n`;
    stream.write(events);
    return stream.end();
  }
  const next = () => {
    const id = n++;
    sent += 1;
    if (id >= total) {
      stream.write(`id: ${id}\ndata: ${id}\n\n`);
      return stream.end();
    }
    if (sent >= dropAfter) {
      // Cut a little after the event has reached the socket: a browser may drop the
      // last chunk of a connection that is reset the moment it arrives.
      return stream.write(`id: ${id}\ndata: ${id}\n\n`, () => stream.after(50, () => res.socket?.destroy()));
    }
    stream.write(`id: ${id}\ndata: ${id}\n\n`);
    stream.after(interval, next);
  };
  stream.after(interval, next);
}

/**
 * `/sse/status?code=500&type=…&body=…&retryAfter=…`: a plain non-stream response. With
 * `hold=1` the body is sent but never ended, as by a proxy whose page stalls.
 */
function status(ctx) {
  const { res, params } = ctx;
  const code = statusParam(params, 500);
  const headers = typeHeader(params, 'text/html; charset=utf-8');
  if (params.has('retryAfter')) headers['retry-after'] = params.get('retryAfter');
  res.writeHead(code, headers);
  const body = NO_BODY.has(code) ? undefined : (params.get('body') ?? '<h1>Server error</h1>');
  if (params.get('hold') !== '1') return res.end(body);
  ctx.track(res);
  res.write(body);
}

/** `/sse/silent`: takes the request and never answers, not even with headers. */
function silent(ctx) {
  ctx.track(ctx.res);
}

/**
 * `/sse/flaky?key=K&failures=F&code=503&retryAfter=…&type=…`: the first F requests with
 * this key fail with `code`; later ones get a stream. Needs `?key=`, since the count is
 * taken from the request log.
 */
function flaky(ctx) {
  const { res, params, entry } = ctx;
  if (!entry) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    return res.end('flaky needs ?key=<string> to count requests\n');
  }
  const failures = intParam(params, 'failures', 2);
  if (entry.n <= failures) {
    const headers = typeHeader(params, 'text/plain; charset=utf-8');
    if (params.has('retryAfter')) headers['retry-after'] = params.get('retryAfter');
    const code = statusParam(params, 503);
    res.writeHead(code, headers);
    return res.end(NO_BODY.has(code) ? undefined : 'unavailable');
  }
  const stream = openStream(ctx);
  stream.write(`id: ok\ndata: connected after ${failures} failures\n\n`);
  stream.keepAlive();
}

/** `/sse/named`: named, unnamed and explicitly `message` events; the third keeps id 2. */
const NAMED = [
  'id: 1\ndata: unnamed one\n\n',
  'event: ping\nid: 2\ndata: named ping\n\n',
  'event: message\ndata: explicitly message\n\n',
  'event: update\ndata: {"n":3}\n\n',
  'data: unnamed two\n\n',
];

function named(ctx) {
  const stream = openStream(ctx);
  writeSpaced(stream, NAMED, 10, () => stream.keepAlive());
}

/** `/sse/token`: reports the Authorization header, then ends so the client reconnects. */
function token(ctx) {
  const stream = openStream(ctx);
  stream.write(`data: ${ctx.req.headers.authorization ?? 'none'}\n\n`);
  stream.end();
}

/** `/sse/end?count=2`: `count` events 10 ms apart, then a clean end of the body. */
function end(ctx) {
  const count = intParam(ctx.params, 'count', 2);
  const stream = openStream(ctx);
  const events = Array.from({ length: count }, (_, i) => `data: event ${i + 1}\n\n`);
  writeSpaced(stream, events, 10, () => stream.end());
}

/** `/sse/comments`: comments and `retry:` around a single real event. */
function comments(ctx) {
  const stream = openStream(ctx);
  for (const chunk of [': only a comment\n\n', ': another\n\n', 'retry: 1000\n\n', 'data: real\n\n', ':tail\n\n']) stream.write(chunk);
  stream.end();
}

/** `/sse/openai` (any method, usually POST): a chat completion stream ending in `[DONE]`. */
export const OPENAI_DELTAS = [{ content: 'Hello' }, { content: ', ' }, { content: 'world' }, { content: '!' }, {}];

function openai(ctx) {
  const stream = openStream(ctx);
  const chunks = OPENAI_DELTAS.map((delta) => `data: ${JSON.stringify({ choices: [{ delta }] })}\n\n`);
  writeSpaced(stream, [...chunks, 'data: [DONE]\n\n'], 20, () => stream.end());
}

/** `/sse/forever?interval=50`: numbered ticks until the client goes away. */
function forever(ctx) {
  const interval = Math.max(1, intParam(ctx.params, 'interval', 50));
  const stream = openStream(ctx);
  let n = 0;
  const tick = () => {
    n += 1;
    stream.write(`id: ${n}\ndata: tick ${n}\n\n`);
  };
  tick();
  stream.every(interval, tick);
}

/**
 * `/sse/stalled?retry=MS`: a half-open connection as a client sees it: one event (id 1,
 * or the one after Last-Event-ID), then silence, no heartbeat and no end.
 */
function stalled(ctx) {
  const last = Number.parseInt(lastEventId(ctx.req) ?? '', 10);
  const id = Number.isFinite(last) ? last + 1 : 1;
  const stream = openStream(ctx);
  stream.write(`retry: ${intParam(ctx.params, 'retry', 100)}\nid: ${id}\ndata: event ${id}\n\n`);
}

/**
 * `/sse/garbage?bytes=N`: N pseudo-random bytes (invalid UTF-8, NUL, stray CRs and all,
 * the same every time), then a blank line and one clean event, then the end.
 */
function garbage(ctx) {
  const length = Math.min(intParam(ctx.params, 'bytes', 4096), 1 << 20);
  const noise = Buffer.alloc(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    noise[i] = state & 0xff;
  }
  const stream = openStream(ctx);
  stream.write(noise);
  stream.write('\n\ndata: after garbage\n\n');
  stream.end();
}

/** `/sse/redirect?code=307&to=/sse/named`: a redirect to another route. */
function redirect(ctx) {
  const code = statusParam(ctx.params, 307);
  ctx.res.writeHead(code, { location: ctx.params.get('to') ?? '/sse/named' });
  ctx.res.end();
}

/**
 * `/sse/cut?total=6&at=line|event`: events 1, 2, … from Last-Event-ID + 1; each connection
 * sends two whole events and then the start of the next one, cut mid-line (`data: par`)
 * or mid-event (after a whole `data:` line, before the blank line), and resets the socket.
 * The last event ends the stream cleanly.
 */
function cut(ctx) {
  const { req, res, params } = ctx;
  const total = intParam(params, 'total', 6);
  const last = Number.parseInt(lastEventId(req) ?? '', 10);
  let n = Number.isFinite(last) ? last + 1 : 1;
  const stream = openStream(ctx);
  stream.write('retry: 50\n\n');
  for (let sent = 0; sent < 2 && n <= total; sent += 1, n += 1) stream.write(`id: ${n}\ndata: event ${n}\n\n`);
  if (n > total) return stream.end();
  const partial = params.get('at') === 'line' ? `id: ${n}\ndata: par` : `id: ${n}\ndata: event ${n}\n`;
  stream.write(partial, () => stream.after(50, () => res.socket?.destroy()));
}

/** `/sse/drip?every=2`: three events (a CRLF, an emoji), one byte every `every` ms. */
function drip(ctx) {
  const bytes = Buffer.from('id: 1\r\ndata: first\r\n\r\nevent: note\ndata: 😀 second\n\ndata: third\n\n');
  const every = Math.max(1, intParam(ctx.params, 'every', 2));
  const stream = openStream(ctx);
  let i = 0;
  stream.every(every, () => (i < bytes.length ? stream.write(bytes.subarray(i, (i += 1))) : stream.end()));
}

/**
 * `/sse/big?mib=20&count=2`: `count` events whose data is `mib` MiB each over 1 KiB lines
 * of a repeating alphabet, written in 64 KiB pieces, then `data: done`. With
 * `shape=line`, each event's data is one line of `mib` MiB instead.
 */
function big(ctx) {
  const mib = Math.min(intParam(ctx.params, 'mib', 20), 64);
  const oneLine = ctx.params.get('shape') === 'line';
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const line = `data: ${alphabet.repeat(29).slice(0, 1017)}\n`; // 1 KiB
  const piece = Buffer.from(oneLine ? alphabet.repeat(1821).slice(0, 64 * 1024) : line.repeat(64)); // 64 KiB
  const count = Math.min(intParam(ctx.params, 'count', 1), 8);
  const stream = openStream(ctx);
  let events = 0;
  let pieces = 0;
  const next = () => {
    while (events < count) {
      if (pieces === mib * 16) {
        stream.write(oneLine ? '\n\n' : '\n'); // the blank line that dispatches this event
        events += 1;
        pieces = 0;
      } else {
        if (oneLine && pieces === 0) stream.write('data: ');
        pieces += 1;
        if (!stream.write(piece)) return ctx.res.once('drain', next);
      }
    }
    stream.write('data: done\n\n');
    return stream.end();
  };
  next();
}

/**
 * `/sse/long-id?kib=1024&pieces=4`: an `id:` of `kib` KiB, then `pieces` writes of 3,640
 * small named events (`event: a`, `data: x`; 64 KiB) that all carry that ID, then `data: done`.
 */
function longId(ctx) {
  const kib = Math.min(intParam(ctx.params, 'kib', 1024), 8192);
  const pieces = Math.min(intParam(ctx.params, 'pieces', 4), 64);
  const stream = openStream(ctx);
  stream.write(`id: ${'i'.repeat(kib * 1024)}\n\n`);
  const piece = 'event: a\ndata: x\n\n'.repeat(3640); // 3,640 events, just under 64 KiB
  for (let i = 0; i < pieces; i++) stream.write(piece);
  stream.write('data: done\n\n');
  stream.end();
}

/**
 * `/sse/panic`: event 1, then (100 ms later, in a chunk of its own) the comment
 * `: wasm-sse test panic`, on which a build with the `test-hooks` feature panics; a
 * reconnect (a request with Last-Event-ID) gets event 2 and no panic. Stays open.
 */
function panic(ctx) {
  const stream = openStream(ctx);
  if (lastEventId(ctx.req) !== null) {
    stream.write('id: 2\ndata: event 2\n\n');
  } else {
    stream.write('id: 1\ndata: event 1\n\n');
    stream.after(100, () => stream.write(': wasm-sse test panic\n\n'));
  }
  stream.keepAlive();
}

/**
 * Writes what `next()` returns until it returns null, as fast as the client reads (waiting
 * only when the socket's buffer is full), then calls `then`. The request's log entry, if
 * any, keeps `sent` (the bytes handed to the socket so far) and `finished`.
 */
function pour(ctx, stream, next, then) {
  const { res } = ctx;
  const progress = ctx.entry ?? {};
  progress.sent = 0;
  progress.finished = false;
  const more = () => {
    for (let piece = next(); piece !== null; piece = next()) {
      if (res.destroyed) return;
      progress.sent += Buffer.byteLength(piece);
      if (!stream.write(piece)) return res.once('drain', more);
    }
    progress.finished = true;
    then();
  };
  more();
}

/**
 * `/sse/huge?mib=64&shape=lines|line`: one event of `mib` MiB of data, as 1 KiB `data:` lines
 * or as one single `data:` line, written as fast as the client reads, then `data: after`.
 * The log entry (with `?key=`) keeps `sent`, the bytes handed to the socket so far, and
 * `finished`, whether the whole event went out: a client that stops reading at its size
 * limit leaves both far below.
 */
function huge(ctx) {
  const { params } = ctx;
  const total = Math.min(intParam(params, 'mib', 64), 256) * (1 << 20);
  const oneLine = params.get('shape') === 'line';
  const piece = oneLine ? Buffer.alloc(64 << 10, 'x') : Buffer.from(`data: ${'x'.repeat(1017)}\n`.repeat(64)); // 64 KiB
  const stream = openStream(ctx);
  if (oneLine) stream.write('data: ');
  let sent = 0;
  const next = () => (sent < total ? ((sent += piece.length), piece) : null);
  pour(ctx, stream, next, () => {
    stream.write(oneLine ? '\n\ndata: after\n\n' : '\ndata: after\n\n');
    stream.end();
  });
}

/**
 * `/sse/flood?count=40000&size=1000`: `count` events with ids 1, 2, …, each `size` bytes
 * of data, written as fast as the client reads; the stream then stays open. The log entry (with
 * `?key=`) keeps `sent`, the bytes handed to the socket so far, and `finished`: a client
 * whose consumer lags behind and that stops reading for it leaves `sent` far below the
 * total until the consumer catches up.
 */
function flood(ctx) {
  const { params } = ctx;
  const count = Math.min(intParam(params, 'count', 40_000), 1_000_000);
  const data = 'x'.repeat(Math.min(intParam(params, 'size', 1000), 1 << 20));
  const stream = openStream(ctx);
  let id = 0;
  const next = () => (id < count ? `id: ${++id}\ndata: ${data}\n\n` : null);
  pour(ctx, stream, next, () => stream.keepAlive());
}

export const ROUTES = {
  echo, resume, status, flaky, named, token, end, comments, openai, forever, stalled, garbage, redirect, cut, drip, big, huge,
  flood, panic, 'long-id': longId, silent,
};

// The demo's own endpoints, served by scripts/sse-server.mjs next to the test scenarios:
//   POST /v1/chat/completions   an OpenAI-compatible streaming chat endpoint
//   GET  /events                a live ticker: ids, named events, heartbeats, `retry:`
// Both resume from `Last-Event-ID`. Node built-ins only.
import { lastEventId, openStream } from './scenarios.mjs';

/** The bearer token the chat endpoint accepts (`DEMO_TOKEN=… npm start` changes it). */
export const DEMO_TOKEN = process.env.DEMO_TOKEN || 'demo-token';

// ---------------------------------------------------------------------------------------
// The answer: deterministic, so a resumed stream continues the same text and tests know it.

const FACTS = [
  'Server-Sent Events carry a stream of text events over one long HTTP response, so they pass through proxies and load balancers like any other request.',
  'Each event is a block of "field: value" lines that ends with a blank line; data, event, id and retry are the only fields a client acts on.',
  'This answer arrives as small data: chunks in the OpenAI format, and a Rust parser compiled to WebAssembly turns them into events.',
  'When the connection drops, the client waits for the reconnection time and sends Last-Event-ID, so the server can continue where the stream stopped.',
  'Press Stop at any time: the request is aborted, and the server notices the closed connection and stops generating.',
  'Unlike the browser\'s EventSource, this client can POST a JSON body and send an Authorization header, which is what chat APIs need.',
  'A heartbeat is a comment line starting with a colon; it keeps idle connections open without producing an event.',
];

/** FNV-1a over the UTF-16 code units: a stable choice of facts for a question. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The text of the last user message, or '' when there is none. */
export function lastQuestion(messages) {
  const last = [...messages].reverse().find((m) => m?.role === 'user');
  return typeof last?.content === 'string' ? last.content.trim() : '';
}

/** The full answer to a conversation: the same messages always give the same text. */
export function answerFor(messages) {
  const question = lastQuestion(messages);
  const h = hash(question);
  const picks = [0, 1, 2].map((i) => FACTS[(h + i * 3) % FACTS.length]);
  const quoted = question.length > 80 ? `${question.slice(0, 77)}...` : question;
  const turn = messages.filter((m) => m?.role === 'user').length;
  return [`You asked: "${quoted}" (message ${turn} of this conversation).`, ...picks].join('\n\n');
}

/** Splits text into the pieces a model would stream: words with their space, at most 8 chars. */
export function tokenize(text) {
  const pieces = [];
  for (const word of text.match(/\S+\s*|\s+/g) ?? []) {
    for (let i = 0; i < word.length; i += 8) pieces.push(word.slice(i, i + 8));
  }
  return pieces;
}

// ---------------------------------------------------------------------------------------
// POST /v1/chat/completions

function jsonError(res, status, message, extra = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra.headers });
  res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', code: extra.code ?? null } }));
}

/** Checks the bearer token and the JSON body; answers the error itself and returns null. */
function checkRequest({ req, res, body }) {
  if (req.method !== 'POST') {
    jsonError(res, 405, 'Use POST for /v1/chat/completions.', { headers: { allow: 'POST' } });
    return null;
  }
  const auth = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!auth) {
    jsonError(res, 401, 'Missing bearer token: send "Authorization: Bearer <token>".', { code: 'missing_api_key' });
    return null;
  }
  if (auth[1].trim() !== DEMO_TOKEN) {
    jsonError(res, 401, `Incorrect API key provided. The demo server accepts "${DEMO_TOKEN}".`, { code: 'invalid_api_key' });
    return null;
  }
  let request;
  try {
    request = JSON.parse(body);
  } catch {
    jsonError(res, 400, 'The request body is not valid JSON.');
    return null;
  }
  if (!Array.isArray(request?.messages) || !lastQuestion(request.messages)) {
    jsonError(res, 400, 'The body needs "messages" with at least one non-empty user message.');
    return null;
  }
  return request;
}

const chunk = (id, created, model, delta, finish = null) => JSON.stringify({
  id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }],
});

/**
 * Streams the answer one piece every `?delay=` ms (default 40). Each chunk has `id: <n>`,
 * its piece's number, so a reconnect with `Last-Event-ID: n` continues at piece n + 1.
 * `?dropAfter=k` cuts a fresh (not resumed) connection after k pieces, to show a resume.
 * Every stream is recorded in `log` with how it ended: `done` or `disconnected`.
 */
export function chatCompletions(ctx, log) {
  const request = checkRequest(ctx);
  if (!request) return;
  const { res, params } = ctx;
  const pieces = tokenize(answerFor(request.messages));
  const resumed = Number.parseInt(lastEventId(ctx.req) ?? '', 10);
  let next = Number.isFinite(resumed) && resumed >= 0 ? Math.min(resumed, pieces.length) : 0;
  const delay = Math.max(0, Number.parseInt(params.get('delay') ?? '', 10) || 40);
  const dropAfter = Number.isFinite(resumed) ? Infinity : Number.parseInt(params.get('dropAfter') ?? '', 10) || Infinity;
  const model = typeof request.model === 'string' ? request.model : 'wasm-sse-demo';
  const id = `chatcmpl-${hash(JSON.stringify(request.messages)).toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const record = { id, question: lastQuestion(request.messages), pieces: pieces.length, from: next, sent: 0, outcome: 'streaming', at: Date.now(), closedAt: null };
  log.push(record);

  const stream = openStream(ctx);
  res.on('close', () => {
    record.closedAt = Date.now();
    if (record.outcome === 'streaming') record.outcome = 'disconnected';
  });
  stream.write(`retry: 1000\n\n`);
  if (next === 0) stream.write(`data: ${chunk(id, created, model, { role: 'assistant', content: '' })}\n\n`);
  const step = () => {
    if (next === pieces.length) {
      record.outcome = 'done';
      stream.write(`data: ${chunk(id, created, model, {}, 'stop')}\n\n`);
      stream.write('data: [DONE]\n\n');
      return stream.end();
    }
    next += 1;
    record.sent += 1;
    stream.write(`id: ${next}\ndata: ${chunk(id, created, model, { content: pieces[next - 1] })}\n\n`);
    if (record.sent === dropAfter) {
      // Cut after the chunk has left, as a failing proxy would: the client must resume.
      record.outcome = 'dropped';
      return stream.after(50, () => res.socket?.destroy());
    }
    stream.after(delay, step);
  };
  stream.after(delay, step);
}

// ---------------------------------------------------------------------------------------
// GET /events

/**
 * A live stream: numbered ticks (ids), a named `status` event every fifth tick, a comment
 * heartbeat every third, and `retry: 2000`; resumes after `Last-Event-ID`.
 * `?interval=ms` (default 1000), `?count=n` (then the server ends the stream).
 */
export function events(ctx) {
  const { req, params } = ctx;
  const interval = Math.max(10, Number(params.get('interval')) || 1000);
  const count = Number(params.get('count')) || Infinity;
  let n = Number.parseInt(req.headers['last-event-id'] ?? '', 10);
  n = Number.isFinite(n) ? n + 1 : 1;
  const stream = openStream(ctx);
  stream.write(`retry: 2000\n: resuming at ${n}\n\n`);
  let sent = 0;
  stream.every(interval, () => {
    if (sent >= count) return stream.end();
    const time = new Date().toISOString();
    const named = n % 5 === 0 ? 'event: status\n' : '';
    stream.write(`${named}id: ${n}\ndata: {"tick":${n},"time":"${time}"}\n\n`);
    if (n % 3 === 0) stream.write(': heartbeat\n\n');
    n += 1;
    sent += 1;
  });
}

// A small local HTTP server for the tests and the demo: serves the built package, the
// examples, the demo's chat and ticker endpoints (demo-routes.mjs), SSE scenario routes
// whose bodies arrive in chosen chunks, and behavioural routes (reconnection, errors,
// aborts; see scenarios.mjs) with a request log. Binds to 127.0.0.1 only. Node built-ins only.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chatCompletions, events } from './demo-routes.mjs';
import { servedDir } from './examples.mjs';
import { landingPage } from './landing.mjs';
import { CORS_PREFIXES, ROUTES, allowCors, createRequestLog, preflight, readBody } from './scenarios.mjs';
import { TYPES, notFound, serveFile } from './static-files.mjs';
import { ROOT } from './toolchain.mjs';


/** Concatenates strings (as UTF-8) and byte arrays into one chunk. */
const bytes = (...parts) => Buffer.concat(parts.map((p) => Buffer.from(p)));
const utf8 = (s) => Buffer.from(s, 'utf8');

/**
 * Scenario routes: each body is a list of chunks written with a pause between them, so a
 * client sees these boundaries. `GET /sse/<name>`; `?delay=ms` changes the pause.
 */
export const SCENARIOS = {
  // A CRLF cut between its CR and its LF, twice, and a blank line made of a split CRLF.
  'crlf-split': ['data: first\r', '\nid: 1\r', '\n\r', '\ndata: sec', 'ond\r\n\r\n'].map(utf8),
  // Multi-byte characters cut inside: 你 (E4 BD A0), 好 (E5 A5 BD), 😀 (F0 9F 98 80).
  'utf8-split': [
    bytes('data: ', [0xe4, 0xbd]),
    bytes([0xa0, 0xe5]),
    bytes([0xa5, 0xbd], ' ', [0xf0]),
    bytes([0x9f, 0x98]),
    bytes([0x80], '\n\n'),
  ],
  // A leading BOM cut in two, then an event; a later BOM is data, not stripped.
  bom: [bytes([0xef, 0xbb]), bytes([0xbf], 'data: after bom\n\n'), bytes('data: ', [0xef, 0xbb, 0xbf], 'kept\n\n')],
  // The field rules a client must get right, cut at awkward places.
  fields: [
    ': heartbeat\n\nretry: 1500\nevent: greet',
    'ing\nid: 42\ndata: {"hello":',
    '"world"}\ndata:  two spaces\n\n',
    'data\n\nid: 4\0 2\nevent\ndata: still 42\n\nid:\ndata: no id\n\ndata: never finished',
  ].map(utf8),
  // One 64 KiB line in 8 KiB chunks, for size limits (and a final event nobody should reach).
  'long-line': [utf8('data: ok\n\ndata: '), ...Array.from({ length: 8 }, () => utf8('x'.repeat(8192))), utf8('\n\ndata: end\n\n')],
  // A server that omits the final blank line.
  unterminated: ['id: 7\ndata: one\n\n', 'data: two'].map(utf8),
};

// Event streams currently open, so tests can check that a client's cancel reaches us.
const openStreams = new Set();

function track(res) {
  openStreams.add(res);
  res.on('close', () => openStreams.delete(res));
}

function streamScenario(chunks, res, delay) {
  track(res);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  res.socket?.setNoDelay(true);
  let i = 0;
  let timer;
  const next = () => {
    if (i === chunks.length) return res.end();
    res.write(chunks[i++]);
    timer = setTimeout(next, delay);
  };
  res.on('close', () => clearTimeout(timer));
  next();
}

// Static files: the built package at `/pkg/` and each example at `/examples/<name>/` (see
// examples.mjs); `/` lists them (landing.mjs). Pages get the strict Content Security
// Policy the package promises to work under: no inline script, no eval, only wasm.
const CSP = "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'";

/** Pages get the CSP; other files nothing extra. */
const pageHeaders = (type) => (type.startsWith('text/html') ? { 'content-security-policy': CSP } : {});

/** `GET /log/<key>`: what the request log holds for `key`, as JSON. */
function sendLog(res, entries) {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(entries));
}

/** `/examples/<name>/…` → [directory, path inside it], or null. */
function exampleFile(path) {
  const [, name, ...rest] = path.split('/').slice(1);
  const dir = name === undefined ? null : servedDir(name);
  return dir && [dir, rest.join('/')];
}

function redirect(res, location) {
  res.writeHead(301, { location });
  res.end();
}

async function handle(req, res, { requests, chats }) {
  const at = Date.now();
  const url = new URL(req.url, 'http://127.0.0.1');
  const path = decodeURIComponent(url.pathname);
  if (CORS_PREFIXES.some((prefix) => path.startsWith(prefix))) {
    allowCors(req, res);
    // Preflights are the browser's business, not the client's: answer them, don't log them.
    if (req.method === 'OPTIONS') return preflight(req, res);
  }
  const body = await readBody(req);
  const key = url.searchParams.get('key');
  const entry = path.startsWith('/sse/') && key !== null ? requests.record(key, req, res, body, at) : null;
  if (path.startsWith('/log/')) return sendLog(res, requests.get(path.slice(5)));
  const route = path.startsWith('/sse/') && Object.hasOwn(ROUTES, path.slice(5)) && ROUTES[path.slice(5)];
  if (route) return route({ req, res, params: url.searchParams, body, entry, track });
  if (path === '/v1/chat/completions') return chatCompletions({ req, res, params: url.searchParams, body, track }, chats);
  if (path === '/events') return events({ req, res, params: url.searchParams, track });
  if (path === '/') {
    res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store', 'content-security-policy': CSP });
    return res.end(landingPage());
  }
  if (path === '/favicon.ico') {
    res.writeHead(204);
    return res.end();
  }
  if (path === '/blank') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end('<!doctype html><meta charset="utf-8"><title>wasm-sse</title>');
  }
  const scenario = path.startsWith('/sse/') && Object.hasOwn(SCENARIOS, path.slice(5)) && SCENARIOS[path.slice(5)];
  if (scenario) return streamScenario(scenario, res, Number(url.searchParams.get('delay') ?? 40));
  if (path.startsWith('/pkg/')) return serveFile(res, join(ROOT, 'pkg'), path.slice(5), pageHeaders);
  if (/^\/examples\/[\w-]+$/.test(path) && exampleFile(`${path}/`)) return redirect(res, `${path}/`);
  const example = path.startsWith('/examples/') && exampleFile(path);
  if (example) return serveFile(res, ...example, pageHeaders);
  return notFound(res);
}

/** Starts the server on 127.0.0.1; `port` 0 picks a free one. */
export function startServer({ port = 0 } = {}) {
  const sockets = new Set();
  const requests = createRequestLog();
  const chats = [];
  const server = createServer((req, res) => {
    handle(req, res, { requests, chats }).catch((e) => {
      res.destroy(e);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      resolve({
        url: `http://127.0.0.1:${bound}`,
        port: bound,
        /** How many event streams are open right now. */
        openStreams: () => openStreams.size,
        /** Resolves once every event stream is closed, or after `ms`; returns how many stay open. */
        async streamsClosed(ms = 3000) {
          const deadline = Date.now() + ms;
          while (openStreams.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
          return openStreams.size;
        },
        /** The request log for `key` (live entries): see createRequestLog in scenarios.mjs. */
        log: (key) => requests.get(key),
        /** Every chat completion streamed so far, oldest first: see chatCompletions in demo-routes.mjs. */
        chats: () => chats,
        /** Resolves with the log for `key` once it has `count` entries; rejects after `ms`. */
        waitForRequests: (key, count, ms = 5000) => requests.waitFor(key, count, ms),
        close() {
          for (const socket of sockets) socket.destroy(); // open streams would hold close()
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

// HTTP/2 servers for tests that hold many streams open from one page, where HTTP/1.1 would
// allow only 6 per host. They run in a worker thread: the test's own thread is busy with
// the browser's DevTools traffic (thousands of messages when 1,000 requests fail and start
// again), and a server on that thread would log requests late and in bursts.
//
// Chromium caps one HTTP/2 connection at 256 concurrent streams, so there are several
// servers, each on a port (an origin) of its own; the routes send a CORS header for that.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { notFound, serveFile } from '../../scripts/static-files.mjs';
import { ROOT, which } from '../../scripts/toolchain.mjs';

/** Milliseconds since the epoch with the sub-millisecond part, comparable between threads
 * and with the page's `performance.timeOrigin + performance.now()` (one system clock). */
export const now = () => performance.timeOrigin + performance.now();

/**
 * A self-signed certificate for 127.0.0.1, valid for a day, made by openssl for this run;
 * null without openssl. The key exists on disk only inside a temporary directory, removed
 * before this returns.
 */
export function selfSignedCertificate() {
  if (!which('openssl')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'wasm-sse-tls-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'pipe' });
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts `ports` HTTP/2 servers on 127.0.0.1 sharing one handler: the built package at
 * `/pkg/`, `/blank`, and `/stream?run=<name>&id=<n>`, an event stream that stays open and
 * logs when it arrived. Returns:
 * - `origins`: one `https://127.0.0.1:<port>` per server;
 * - `open()`: how many streams are open now;
 * - `arrivals(run)`: the log of `run`'s requests, `{ id, at }` with `at` from `now()`;
 * - `restart(downMs)`: drops every connection and refuses new ones for `downMs`, as a
 *   restarting server process does; resolves with when it began;
 * - `close()`.
 */
export async function startH2Servers({ tls, ports, maxStreams }) {
  const open = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL(import.meta.url), { workerData: { tls, ports, maxStreams, open } });
  const pending = new Map();
  let calls = 0;
  const call = (type, args) => new Promise((resolve, reject) => {
    pending.set(++calls, { resolve, reject });
    worker.postMessage({ id: calls, type, args });
  });
  worker.on('message', ({ id, result, error }) => {
    const { resolve, reject } = pending.get(id);
    pending.delete(id);
    if (error) reject(new Error(error));
    else resolve(result);
  });
  worker.on('error', (e) => pending.forEach(({ reject }) => reject(e)));
  const origins = await call('listen');
  return {
    origins,
    open: () => Atomics.load(open, 0),
    arrivals: (run) => call('arrivals', run),
    restart: (downMs) => call('restart', downMs),
    async close() {
      await call('close');
      await worker.terminate();
    },
  };
}

/** The servers, in the worker. */
function serve({ tls, ports: count, maxStreams, open }) {
  const arrivals = new Map(); // run -> [{ id, at }]
  const sessions = new Set();
  const handler = (req, res) => {
    const at = now();
    const url = new URL(req.url, 'https://127.0.0.1');
    if (url.pathname === '/blank') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end('<!doctype html><meta charset="utf-8"><title>wasm-sse</title>');
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    if (url.pathname.startsWith('/pkg/')) return serveFile(res, join(ROOT, 'pkg'), url.pathname.slice(5));
    if (url.pathname !== '/stream' || req.method !== 'GET') return notFound(res);
    const run = url.searchParams.get('run');
    if (!arrivals.has(run)) arrivals.set(run, []);
    arrivals.get(run).push({ id: Number(url.searchParams.get('id')), at });
    Atomics.add(open, 0, 1);
    res.on('close', () => Atomics.sub(open, 0, 1));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
    // A comment, so the response starts without giving the client an event or a `retry:`.
    res.write(': open\n\n');
  };
  const servers = Array.from({ length: count }, () => {
    // Node allows more streams than Chromium opens on one connection; say how many anyway.
    const server = createSecureServer({ ...tls, settings: { maxConcurrentStreams: maxStreams } }, handler);
    server.on('session', (session) => {
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
    });
    return server;
  });
  const listen = (server, port) => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
  let ports = [];
  const calls = {
    async listen() {
      ports = await Promise.all(servers.map((server) => listen(server, 0)));
      return ports.map((port) => `https://127.0.0.1:${port}`);
    },
    arrivals: (run) => arrivals.get(run) ?? [],
    async restart(downMs) {
      // Taken first: the first streams may fail before the last session is dropped.
      const at = now();
      for (const server of servers) server.close();
      for (const session of sessions) session.destroy();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await Promise.all(servers.map((server, i) => listen(server, ports[i])));
      return at;
    },
    async close() {
      for (const session of sessions) session.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(() => resolve()))));
    },
  };
  parentPort.on('message', async ({ id, type, args }) => {
    try {
      parentPort.postMessage({ id, result: await calls[type](args) });
    } catch (e) {
      parentPort.postMessage({ id, error: e.message });
    }
  });
}

if (!isMainThread && workerData?.open) serve(workerData);

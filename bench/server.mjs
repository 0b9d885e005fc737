// The bench's own HTTP server on 127.0.0.1: the bench pages and modules, the package from
// pkg/, the bundled peers from target/bench/, and `/w4`, which streams W1 as fast as the
// socket takes it (W4, end to end over real HTTP).
import { createServer } from 'node:http';
import { join } from 'node:path';
import { notFound, serveFile } from '../scripts/static-files.mjs';

const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
export const BUNDLE_DIR = join(ROOT, 'target', 'bench');
// Prefix → directory. The bench modules are served as they are; no CSP here.
const MOUNTS = [
  ['/bench/', join(ROOT, 'bench')],
  ['/pkg/', join(ROOT, 'pkg')],
  ['/peers/', BUNDLE_DIR],
];

// Cross-origin isolation gives performance.now() 5 µs steps instead of 100 µs, which the
// small workloads of --quick and --smoke need. Everything here is same-origin.
const isolated = (type) => (type.startsWith('text/html')
  ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
  : {});

// Writes `bytes` in 64 KiB writes, waiting only when the socket's buffer is full.
function streamBytes(res, bytes) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  let at = 0;
  const more = () => {
    while (at < bytes.length) {
      const chunk = bytes.subarray(at, (at += 64 * 1024));
      if (!res.write(chunk)) return res.once('drain', more);
    }
    res.end();
  };
  res.on('close', () => (at = bytes.length)); // a client that closes early stops the writes
  more();
}

/**
 * The time-to-first-event page for library `c`. With `preload=1` it carries the links an
 * app adds so that the browser fetches the library's bundle (and wasm-sse's .wasm) while
 * the page loads, rather than one after the other.
 */
function ttfePage(params) {
  const candidate = params.get('c');
  const library = candidate === 'wasm-sse' ? 'wasm-sse' : 'eventsource-parser';
  // The floor that brings in wasm-sse's .wasm loads it as wasm-sse does.
  const wasm = candidate === 'wasm-sse' || candidate === 'wasm-floor';
  const links = params.get('preload')
    ? [
        `<link rel="modulepreload" href="/peers/${library}.js">`,
        // `crossorigin`: the engine fetches the .wasm in CORS mode, and a preload is used
        // only by a request of the same mode.
        ...(wasm ? ['<link rel="preload" href="/peers/wasm_sse_bg.wasm" as="fetch" crossorigin>'] : []),
      ]
    : [];
  return ['<!doctype html>', '<meta charset="utf-8">', '<title>time to first event</title>', ...links, '<script type="module" src="/bench/ttfe.js"></script>', ''].join('\n');
}

/** Starts the server; `w4` is the byte array `/w4` streams. Resolves to `{ url, close() }`. */
export async function startBenchServer({ w4 }) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/w4') return streamBytes(res, w4);
    if (path === '/favicon.ico') return res.writeHead(204).end();
    if (path === '/') return serveFile(res, join(ROOT, 'bench'), 'page.html', isolated);
    if (path === '/ttfe.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(ttfePage(new URL(req.url, 'http://x').searchParams));
    }
    if (path === '/peers.js') return serveFile(res, BUNDLE_DIR, 'peers.js', isolated);
    for (const [prefix, dir] of MOUNTS) if (path.startsWith(prefix)) return serveFile(res, dir, path.slice(prefix.length), isolated);
    notFound(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections(); // keep-alive sockets would hold close() open
      return closed;
    },
  };
}

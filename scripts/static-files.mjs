// Static files for the local servers (the demo and test server, and the bench's): a path
// inside a root directory, never outside it, with its content type and no caching.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

export function notFound(res) {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
}

/**
 * Answers with the file at `relative` inside `root` (a directory's `index.html` for '' or a
 * trailing slash), or 404. `headersFor(contentType)` adds headers, e.g. a page's CSP.
 */
export async function serveFile(res, root, relative, headersFor = () => ({})) {
  const path = normalize(join(root, relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative));
  if (path !== root && !path.startsWith(root + sep)) return notFound(res);
  try {
    const body = await readFile(path);
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...headersFor(type) });
    res.end(body);
  } catch {
    notFound(res);
  }
}

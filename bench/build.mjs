// Bundles the peers for the bench page with esbuild, and measures what each library adds
// to an application: its API bundled and minified with esbuild, gzipped (plus, for
// wasm-sse, its .wasm gzipped, which the app downloads too).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLE_DIR } from './server.mjs';

const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const PKG = join(ROOT, 'pkg');

function bundle(contents, { minify }) {
  return build({
    stdin: { contents, resolveDir: ROOT, sourcefile: 'entry.js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify,
    write: false,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0].contents);
}

/** Writes target/bench/peers.js (all peers, for the timed page) and one bundle per library for TTFE. */
export async function buildPeers() {
  mkdirSync(BUNDLE_DIR, { recursive: true });
  // Not minified: the same speed, and readable names in CPU profiles.
  const peers = await bundle(
    `export { createParser } from 'eventsource-parser';
     export { fetchEventSource as msFetchEventSource } from '@microsoft/fetch-event-source';
     export { EventSource as PolyfillEventSource } from 'eventsource';`,
    { minify: false },
  );
  writeFileSync(join(BUNDLE_DIR, 'peers.js'), peers);
  // Minified, as an app would ship them: the time to first event loads these. wasm-sse's
  // bundle finds its .wasm next to it, as with any bundler that copies the asset; it also
  // exports `init`, which the page only uses to mark when the module is ready.
  writeFileSync(join(BUNDLE_DIR, 'eventsource-parser.js'), await bundle(`export { createParser } from 'eventsource-parser';`, { minify: true }));
  writeFileSync(join(BUNDLE_DIR, 'wasm-sse.js'), await bundle(`export { EventSource, init } from './pkg/index.js';`, { minify: true }));
  copyFileSync(join(PKG, 'wasm_sse_bg.wasm'), join(BUNDLE_DIR, 'wasm_sse_bg.wasm'));
}

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

// What an app imports from each library for the API the bench uses.
const SIZES = [
  { id: 'wasm-sse (EventSource)', entry: `export { EventSource } from './pkg/index.js';`, wasm: true },
  { id: 'wasm-sse (fetchEventSource)', entry: `export { fetchEventSource } from './pkg/index.js';`, wasm: true },
  { id: 'wasm-sse (whole API)', entry: `export * from './pkg/index.js';`, wasm: true },
  { id: 'eventsource-parser (createParser)', entry: `export { createParser } from 'eventsource-parser';` },
  { id: '@microsoft/fetch-event-source (fetchEventSource)', entry: `export { fetchEventSource } from '@microsoft/fetch-event-source';` },
  { id: 'eventsource (EventSource)', entry: `export { EventSource } from 'eventsource';` },
];

/** Bytes per library: `{ id, js, jsGzip, wasm, wasmGzip, totalGzip }`. */
export async function packageSizes() {
  const wasm = readFileSync(join(PKG, 'wasm_sse_bg.wasm'));
  const rows = [];
  for (const { id, entry, wasm: withWasm } of SIZES) {
    const js = await bundle(entry, { minify: true });
    const row = { id, js: js.length, jsGzip: gz(js), wasm: 0, wasmGzip: 0 };
    if (withWasm) Object.assign(row, { wasm: wasm.length, wasmGzip: gz(wasm) });
    rows.push({ ...row, totalGzip: row.jsGzip + row.wasmGzip });
  }
  return rows;
}

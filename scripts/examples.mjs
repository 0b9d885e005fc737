// The examples in examples/: what each shows, where the demo server finds its files, and
// how `npm start` and `npm test` build the ones that need building. Each example depends on
// the built package (pkg/) the way a user's app would: a `file:` dependency or a URL.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, WASM_TARGET, wasmCargo, wasmTargetDir } from './toolchain.mjs';

/**
 * `kind`: `static` pages are served as they are; `vite` apps are built into `dist/`;
 * `rust` is a crate built to wasm with its glue in `pkg/`; `node` is a script, not a page.
 */
export const EXAMPLES = {
  'vue-chat': { kind: 'vite', title: 'Vue chat', what: 'Vue 3 + Vite: POST a conversation with a bearer token, stream the answer, Stop' },
  'react-chat': { kind: 'vite', title: 'React chat', what: 'React + Vite: the same chat with a reusable useEventSource hook' },
  inspector: { kind: 'static', title: 'SSE inspector', what: 'any URL, method, headers and body; a live timeline of events, comments, retries, reconnects, errors' },
  vanilla: { kind: 'static', title: 'Plain HTML', what: 'one page, one ES module import: EventSource and a POST stream' },
  worker: { kind: 'static', title: 'Web Worker', what: 'the client in a Worker, posting events to the page' },
  rust: { kind: 'rust', title: 'Rust / Wasm', what: 'a Rust app using the crate\'s futures::Stream API' },
  node: { kind: 'node', title: 'Node', what: 'node examples/node/chat.mjs: the package in Node 20+, streaming the chat answer to stdout' },
};

/** The directory the demo server serves `/examples/<name>/` from, or null. */
export function servedDir(name) {
  const example = Object.hasOwn(EXAMPLES, name) ? EXAMPLES[name] : null;
  if (!example || example.kind === 'node') return null;
  const dir = join(ROOT, 'examples', name);
  return example.kind === 'vite' ? join(dir, 'dist') : dir;
}

const say = (msg) => console.log(`examples: ${msg}`);

function run(label, cmd, args, options) {
  say(label);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options, env: { ...process.env, ...options.env } });
  if (r.status !== 0) throw new Error(`examples: ${label} failed (${cmd} exited with ${r.status ?? r.signal ?? r.error})`);
}

/** `npm ci` in an example that has no node_modules, or an older one than its lock file. */
function installDependencies(dir, name) {
  const lock = join(dir, 'package-lock.json');
  const stamp = join(dir, 'node_modules', '.package-lock.json');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(lock).mtimeMs) return;
  run(`${name}: npm ci`, 'npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir });
}

function buildVite(dir, name) {
  installDependencies(dir, name);
  run(`${name}: vite build`, process.execPath, [join(dir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: dir });
}

/**
 * Builds the Rust example with the toolchain the package uses, in a target dir of its own:
 * a crate with a `cdylib` gets no hash in its file names, so the package's build and the
 * example's build of it as a dependency (other features, other dependency hashes) would
 * overwrite each other's `libwasm_sse.rlib` and `wasm_sse.wasm`, and whichever cargo then
 * deemed fresh would link the other's.
 */
function buildRust(dir, name) {
  const route = wasmCargo();
  if (!route) throw new Error('examples: no wasm32 toolchain; run `npm run bootstrap` first');
  const target = join(wasmTargetDir(route), 'example-rust');
  run(`${name}: cargo build (release, ${WASM_TARGET})`, route.cargo,
    ['build', '--release', '--target', WASM_TARGET, ...route.args], { cwd: dir, env: { ...route.env, CARGO_TARGET_DIR: target } });
  const wasm = join(target, WASM_TARGET, 'release', 'wasm_sse_rust_example.wasm');
  run(`${name}: wasm-bindgen --target web`, 'wasm-bindgen',
    ['--target', 'web', '--no-typescript', '--out-dir', join(dir, 'pkg'), '--out-name', 'app', wasm], { cwd: dir });
}

/** Installs and builds every example that needs it (pkg/ must be built first). */
export function buildExamples() {
  const t0 = Date.now();
  for (const [name, example] of Object.entries(EXAMPLES)) {
    const dir = join(ROOT, 'examples', name);
    if (example.kind === 'vite') buildVite(dir, name);
    else if (example.kind === 'rust') buildRust(dir, name);
    else if (example.kind === 'node') installDependencies(dir, name);
  }
  say(`built in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    buildExamples();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}

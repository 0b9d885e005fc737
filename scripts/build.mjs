// `npm run build`: cargo (release, wasm32) → wasm-bindgen --target web → wasm-opt -Oz
// → pkg/, a publishable npm package assembled from pkg-template/ and js/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, WASM_TARGET, wasmCargo, wasmTargetDir } from './toolchain.mjs';

const PKG = join(ROOT, 'pkg');
const GLUE = join(ROOT, 'target', 'bindgen');
const NAME = 'wasm_sse';

// Features that rustc's wasm32 output uses and that every current browser supports.
const WASM_OPT_FEATURES = [
  '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-reference-types', '--enable-multivalue', '--enable-simd',
];

function step(label, cmd, args, env = {}) {
  console.log(`build: ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    throw new Error(`build: ${label} failed (${cmd} exited with ${r.status ?? r.signal ?? r.error})`);
  }
}

function crateVersion() {
  const toml = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
  const m = toml.match(/^version\s*=\s*"([^"]+)"/m);
  if (!m) throw new Error('build: no version in Cargo.toml');
  return m[1];
}

/** The snippet modules under pkg/snippets/, as paths relative to pkg/. */
function snippetFiles() {
  return readdirSync(join(PKG, 'snippets'), { recursive: true })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join('snippets', f));
}

export function build() {
  const route = wasmCargo();
  if (!route) throw new Error('build: no wasm32 toolchain; run `npm run bootstrap` first');

  step(`cargo build (release, ${WASM_TARGET}, ${route.route})`, route.cargo,
    ['build', '--lib', '--release', '--target', WASM_TARGET, ...route.args], route.env);
  const wasm = join(wasmTargetDir(route), WASM_TARGET, 'release', `${NAME}.wasm`);

  rmSync(GLUE, { recursive: true, force: true });
  step('wasm-bindgen --target web', 'wasm-bindgen',
    ['--target', 'web', '--out-dir', GLUE, '--out-name', NAME, wasm]);

  rmSync(PKG, { recursive: true, force: true });
  mkdirSync(PKG, { recursive: true });
  step('wasm-opt -Oz', join(ROOT, 'node_modules', '.bin', 'wasm-opt'),
    ['-Oz', ...WASM_OPT_FEATURES, join(GLUE, `${NAME}_bg.wasm`), '-o', join(PKG, `${NAME}_bg.wasm`)]);

  for (const f of [`${NAME}.js`, `${NAME}.d.ts`, `${NAME}_bg.wasm.d.ts`]) copyFileSync(join(GLUE, f), join(PKG, f));
  // JavaScript the crate declares with `inline_js` (the body pump), imported by the glue.
  cpSync(join(GLUE, 'snippets'), join(PKG, 'snippets'), { recursive: true });
  for (const f of readdirSync(join(ROOT, 'js'))) copyFileSync(join(ROOT, 'js', f), join(PKG, f));
  copyFileSync(join(ROOT, 'pkg-template', 'README.md'), join(PKG, 'README.md'));
  const manifest = JSON.parse(readFileSync(join(ROOT, 'pkg-template', 'package.json'), 'utf8'));
  manifest.version = crateVersion();
  writeFileSync(join(PKG, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const size = (f) => statSync(join(PKG, f)).size;
  const gz = (f) => gzipSync(readFileSync(join(PKG, f)), { level: 9 }).length;
  const js = [...manifest.files.filter((f) => f.endsWith('.js')), ...snippetFiles()];
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const wasmFile = `${NAME}_bg.wasm`;
  console.log(`build: pkg/ ready: wasm ${kib(size(wasmFile))} (${kib(gz(wasmFile))} gz), `
    + `js ${kib(js.reduce((n, f) => n + size(f), 0))} (${kib(js.reduce((n, f) => n + gz(f), 0))} gz)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    build();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}

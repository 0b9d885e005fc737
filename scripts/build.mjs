// `npm run build`: cargo (release, wasm32) → wasm-bindgen --target web → wasm-opt -Oz
// → pkg/, a publishable npm package assembled from pkg-template/ and js/.
// `--test-hooks`: the test-only package in target/pkg-test-hooks/ instead (see TEST_HOOKS_PKG).
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, WASM_TARGET, wasmCargo, wasmTargetDir } from './toolchain.mjs';

const PKG = join(ROOT, 'pkg');
const NAME = 'wasm_sse';
/**
 * A package built with the `test-hooks` feature (a deliberate panic on a chosen comment),
 * for the tests of recovery from a panic; never published.
 */
export const TEST_HOOKS_PKG = join(ROOT, 'target', 'pkg-test-hooks');

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

/** The snippet modules under `pkg`/snippets/, as paths relative to `pkg`. */
function snippetFiles(pkg) {
  return readdirSync(join(pkg, 'snippets'), { recursive: true })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join('snippets', f));
}

/** Builds pkg/; with `testHooks`, the test-only package in TEST_HOOKS_PKG instead. */
export function build({ testHooks = false } = {}) {
  const route = wasmCargo();
  if (!route) throw new Error('build: no wasm32 toolchain; run `npm run bootstrap` first');
  const out = testHooks ? TEST_HOOKS_PKG : PKG;
  const GLUE = join(ROOT, 'target', testHooks ? 'bindgen-test-hooks' : 'bindgen');
  const features = ['--features', testHooks ? 'talc,test-hooks' : 'talc'];

  step(`cargo build (release, ${WASM_TARGET}, ${route.route}${testHooks ? ', test-hooks' : ''})`, route.cargo,
    ['build', '--lib', '--release', '--target', WASM_TARGET, ...features, ...route.args], route.env);
  const wasm = join(wasmTargetDir(route), WASM_TARGET, 'release', `${NAME}.wasm`);

  rmSync(GLUE, { recursive: true, force: true });
  step('wasm-bindgen --target web', 'wasm-bindgen',
    ['--target', 'web', '--out-dir', GLUE, '--out-name', NAME, wasm]);

  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  if (testHooks) {
    // Only the tests load it: the optimiser's time is not worth spending.
    copyFileSync(join(GLUE, `${NAME}_bg.wasm`), join(out, `${NAME}_bg.wasm`));
  } else {
    // The `producers` and `target_features` sections name the tools and features used;
    // nothing reads them at run time (0.2 KiB gzipped).
    step('wasm-opt -Oz', join(ROOT, 'node_modules', '.bin', 'wasm-opt'),
      ['-Oz', '--strip-producers', '--strip-target-features', ...WASM_OPT_FEATURES, join(GLUE, `${NAME}_bg.wasm`), '-o', join(out, `${NAME}_bg.wasm`)]);
  }

  for (const f of [`${NAME}.js`, `${NAME}.d.ts`, `${NAME}_bg.wasm.d.ts`]) copyFileSync(join(GLUE, f), join(out, f));
  // JavaScript the crate declares with `inline_js` (the body pump), imported by the glue.
  cpSync(join(GLUE, 'snippets'), join(out, 'snippets'), { recursive: true });
  for (const f of readdirSync(join(ROOT, 'js'))) copyFileSync(join(ROOT, 'js', f), join(out, f));
  copyFileSync(join(ROOT, 'pkg-template', 'README.md'), join(out, 'README.md'));
  const manifest = JSON.parse(readFileSync(join(ROOT, 'pkg-template', 'package.json'), 'utf8'));
  manifest.version = crateVersion();
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const size = (f) => statSync(join(out, f)).size;
  const gz = (f) => gzipSync(readFileSync(join(out, f)), { level: 9 }).length;
  const js = [...manifest.files.filter((f) => f.endsWith('.js')), ...snippetFiles(out)];
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const wasmFile = `${NAME}_bg.wasm`;
  console.log(`build: ${testHooks ? 'the test-hooks package' : 'pkg/'} ready: wasm ${kib(size(wasmFile))} (${kib(gz(wasmFile))} gz), `
    + `js ${kib(js.reduce((n, f) => n + size(f), 0))} (${kib(js.reduce((n, f) => n + gz(f), 0))} gz)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    build({ testHooks: process.argv.includes('--test-hooks') });
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}

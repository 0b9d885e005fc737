// Installs what the build and the tests need, and only what is missing.
// Node built-ins only: node_modules may not exist yet. Safe to run again: with
// everything present it only looks, which takes a second or two.
//
//   node scripts/bootstrap.mjs            everything (build + tests)
//   node scripts/bootstrap.mjs --no-browser   skip Chromium (enough for `npm start`)
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT, WASM_TARGET, browser, pinnedWasmBindgen, wasmBindgenVersion, wasmCargo, which,
} from './toolchain.mjs';

// `rustup target add` hangs where the network cannot reach its servers; give up after this.
const RUSTUP_TIMEOUT_MS = 90_000;

const say = (msg) => console.log(`bootstrap: ${msg}`);

class MissingTool extends Error {}

function fail(what, how) {
  throw new MissingTool(`bootstrap: cannot install ${what}; please install it yourself: ${how}`);
}

function run(cmd, args, options = {}) {
  say(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...options });
  return r.status === 0;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
let aptUpdated = false;

function aptInstall(packages) {
  if (!isRoot() || !which('apt-get')) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // A fresh machine's package lists may be empty or stale: refresh them once.
  if (!aptUpdated) aptUpdated = run('apt-get', ['update'], { env });
  return run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env });
}

function ensureWasmStd() {
  let route = wasmCargo();
  if (!route && which('rustup')) {
    say(`adding the ${WASM_TARGET} target with rustup (gives up after ${RUSTUP_TIMEOUT_MS / 1000}s)`);
    run('rustup', ['target', 'add', WASM_TARGET], { timeout: RUSTUP_TIMEOUT_MS });
    route = wasmCargo();
  }
  if (!route) {
    say('rustup target unavailable; installing Debian rustc-web to build std for wasm32');
    // rust-web-llvm provides /usr/bin/rust-lld, the linker rustc uses for wasm32.
    aptInstall(['rustc-web', 'cargo-web', 'rust-web-src', 'rust-web-llvm', 'lld-22']);
    route = wasmCargo();
  }
  if (!route) {
    fail('the wasm32 standard library',
      `rustup target add ${WASM_TARGET}  (or: apt-get install rustc-web cargo-web rust-web-src rust-web-llvm lld-22)`);
  }
  say(`wasm32 std: ${route.route} ✓`);
}

function ensureWasmBindgen() {
  const pinned = pinnedWasmBindgen();
  if (wasmBindgenVersion() !== pinned) {
    say(`installing wasm-bindgen-cli ${pinned} (the crate is pinned to it; takes a few minutes)`);
    // No --locked: the registry mirror lacks one version that the CLI's lock file names.
    run('cargo', ['install', 'wasm-bindgen-cli', '--version', pinned]);
    if (wasmBindgenVersion() !== pinned) {
      fail(`wasm-bindgen-cli ${pinned}`, `cargo install wasm-bindgen-cli --version ${pinned}`);
    }
  }
  say(`wasm-bindgen ${pinned} ✓`);
}

function ensureBrowser() {
  let found = browser();
  if (!found.chromium || !found.chromedriver) {
    say('installing Chromium and ChromeDriver for the browser tests');
    aptInstall(['chromium', 'chromium-driver']);
    found = browser();
  }
  if (!found.chromium) fail('Chromium', 'apt-get install chromium  (or set CHROME_PATH)');
  if (!found.chromedriver) fail('ChromeDriver', 'apt-get install chromium-driver  (or set CHROMEDRIVER)');
  say(`chromium ${found.chromium}, chromedriver ${found.chromedriver} ✓`);
}

function ensureNodeModules() {
  const lock = join(ROOT, 'package-lock.json');
  const stamp = join(ROOT, 'node_modules', '.package-lock.json');
  const stale = !existsSync(stamp) || statSync(stamp).mtimeMs < statSync(lock).mtimeMs;
  if (stale && !run('npm', ['ci', '--no-audit', '--no-fund'])) fail('the npm dependencies', 'npm ci');
  say('node_modules ✓');
}

export function bootstrap({ needBrowser = true } = {}) {
  ensureNodeModules();
  ensureWasmStd();
  ensureWasmBindgen();
  if (needBrowser) ensureBrowser();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    bootstrap({ needBrowser: !process.argv.includes('--no-browser') });
  } catch (e) {
    console.error(e instanceof MissingTool ? e.message : e);
    process.exit(1);
  }
}

// Finds the tools the build and the tests use, without installing anything.
// `bootstrap.mjs` installs what this module reports missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
export const WASM_TARGET = 'wasm32-unknown-unknown';

// Tools installed by `cargo install` live here; make sure children find them.
const cargoBin = join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'bin');
if (!process.env.PATH.split(delimiter).includes(cargoBin)) {
  process.env.PATH = `${process.env.PATH}${delimiter}${cargoBin}`;
}

/** Runs a command and returns its trimmed stdout, or null when it cannot run or fails. */
export function capture(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function which(cmd) {
  for (const dir of process.env.PATH.split(delimiter)) {
    const p = join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/** The `wasm-bindgen` version pinned with `=` in Cargo.toml; the CLI must match it exactly. */
export function pinnedWasmBindgen() {
  const toml = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
  const m = toml.match(/^wasm-bindgen\s*=\s*(?:\{[^}]*version\s*=\s*)?"=([0-9.]+)"/m);
  if (!m) throw new Error('Cargo.toml must pin wasm-bindgen with "=x.y.z"');
  return m[1];
}

// Debian's rustc-web route: a rustc with std sources, so build-std can make std for wasm32.
const DEBIAN = {
  rustc: '/usr/bin/rustc',
  cargo: '/usr/bin/cargo',
  stdSources: '/usr/lib/rustlib/src/rust/library',
};

function rustupHasTarget() {
  const list = which('rustup') && capture('rustup', ['target', 'list', '--installed']);
  return Boolean(list && list.split('\n').includes(WASM_TARGET));
}

function debianRouteReady() {
  return existsSync(DEBIAN.rustc) && existsSync(DEBIAN.cargo) && existsSync(DEBIAN.stdSources)
    && Boolean(which('rust-lld'));
}

/**
 * How to run cargo for wasm32 on this machine: the rustup target when installed, else
 * Debian's toolchain with build-std. Returns null when neither is present.
 * The build-std route gets its own target dir: its rustc differs from the native one,
 * and sharing `target/` would make each toolchain rebuild the other's host crates.
 */
export function wasmCargo() {
  // WASM_SSE_ROUTE=rustup|build-std picks one route even when both are present.
  const forced = process.env.WASM_SSE_ROUTE;
  if (forced && forced !== 'rustup' && forced !== 'build-std') {
    throw new Error(`WASM_SSE_ROUTE must be "rustup" or "build-std", not "${forced}"`);
  }
  if (forced !== 'build-std' && rustupHasTarget()) {
    return { route: 'rustup target', cargo: 'cargo', args: [], env: {} };
  }
  if (forced !== 'rustup' && debianRouteReady()) {
    return {
      route: 'Debian rustc-web + build-std',
      cargo: DEBIAN.cargo,
      args: ['-Zbuild-std=std,panic_abort'],
      env: {
        RUSTC: DEBIAN.rustc,
        RUSTC_BOOTSTRAP: '1',
        CARGO_TARGET_DIR: join(ROOT, 'target', 'build-std'),
      },
    };
  }
  return null;
}

/** Where `cargo build --target wasm32` leaves its artifacts for a given route. */
export function wasmTargetDir(route) {
  return route.env.CARGO_TARGET_DIR || join(ROOT, 'target');
}

export function wasmBindgenVersion() {
  const out = which('wasm-bindgen') && capture('wasm-bindgen', ['--version']);
  return out ? out.split(/\s+/)[1] : null;
}

const CHROMIUM_CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The Chromium binary and its driver: `CHROME_PATH`/`CHROMEDRIVER` win over the PATH. */
export function browser() {
  const chromium = process.env.CHROME_PATH || CHROMIUM_CANDIDATES.map(which).find(Boolean) || null;
  const chromedriver = process.env.CHROMEDRIVER || which('chromedriver');
  return { chromium, chromedriver };
}

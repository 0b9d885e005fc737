// `npm test`: bootstrap, build, then every suite: native Rust, wasm in headless Chromium,
// and the JS end-to-end tests in headless Chromium against a local server.
// Prints each suite's counts and exits non-zero if a suite fails or runs no test.
//
//   node scripts/test.mjs [native] [wasm] [e2e]    run only these suites
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap } from './bootstrap.mjs';
import { build } from './build.mjs';
import { buildExamples } from './examples.mjs';
import { startServer } from './sse-server.mjs';
import { ROOT, WASM_TARGET, browser, wasmCargo } from './toolchain.mjs';

/** Runs a command, echoing its output, and returns everything it printed. */
function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const echo = (stream) => (data) => {
      output += data;
      stream.write(data);
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    child.on('error', (e) => resolve({ code: 1, output: `${output}\n${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const sum = (output, re) => [...output.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);

// cargo's libtest and wasm-bindgen-test-runner both close with
// "test result: ok. N passed; M failed; …" per test binary.
const cargoCounts = (output) => ({
  passed: sum(output, /test result: \w+\. (\d+) passed/g),
  failed: sum(output, /test result: \w+\. \d+ passed; (\d+) failed/g),
});

// node --test's spec reporter closes with "ℹ pass N" and "ℹ fail N".
const nodeCounts = (output) => ({
  passed: sum(output, /^ℹ pass (\d+)$/gm),
  failed: sum(output, /^ℹ fail (\d+)$/gm) + sum(output, /^ℹ cancelled (\d+)$/gm),
});

const SUITES = {
  native: {
    title: 'native Rust (cargo test)',
    run: () => run('cargo', ['test', '--no-fail-fast'], {}),
    counts: cargoCounts,
  },
  wasm: {
    title: 'wasm in headless Chromium (wasm-bindgen-test)',
    run: async () => {
      const route = wasmCargo();
      // The client tests talk to a real local server; its URL is compiled into them.
      const server = await startServer();
      try {
        // With the allocator the npm package is built with.
        const tests = ['--test', 'web', '--test', 'web_client', '--features', 'talc'];
        return await run(route.cargo, ['test', '--no-fail-fast', '--target', WASM_TARGET, ...tests, ...route.args], {
          ...route.env,
          CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: 'wasm-bindgen-test-runner',
          CHROMEDRIVER: browser().chromedriver,
          WASM_SSE_TEST_SERVER: server.url,
        });
      } finally {
        await server.close();
      }
    },
    counts: cargoCounts,
  },
  e2e: {
    title: 'JS end-to-end in headless Chromium (node --test)',
    run: () => {
      const dir = join('tests', 'e2e');
      const files = readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.test.mjs')).sort();
      return run(process.execPath, ['--test', '--test-reporter=spec', ...files.map((f) => join(dir, f))]);
    },
    counts: nodeCounts,
  },
};

async function main() {
  const wanted = process.argv.slice(2);
  const chosen = wanted.length ? wanted : Object.keys(SUITES);
  const unknown = chosen.filter((name) => !SUITES[name]);
  if (unknown.length) throw new Error(`unknown suite ${unknown.join(', ')}; suites: ${Object.keys(SUITES).join(', ')}`);

  const started = Date.now();
  console.log('== bootstrap');
  // Every suite but the native one runs in Chromium against the built package.
  const needBrowser = chosen.some((name) => name !== 'native');
  bootstrap({ needBrowser });
  if (needBrowser) {
    console.log('== build');
    build();
  }
  // The e2e suite drives the examples as built for users (Vite production builds, the Rust app).
  if (chosen.includes('e2e')) {
    console.log('== build the examples');
    buildExamples();
    // The tests of recovery from a panic need a build that panics on purpose.
    console.log('== build the test-hooks package');
    build({ testHooks: true });
  }

  const results = [];
  for (const name of chosen) {
    const suite = SUITES[name];
    console.log(`\n== ${suite.title}`);
    const t0 = Date.now();
    const { code, output } = await suite.run();
    const { passed, failed } = suite.counts(output);
    const ok = code === 0 && failed === 0 && passed > 0;
    results.push({ title: suite.title, passed, failed, ok, code, seconds: (Date.now() - t0) / 1000 });
  }

  console.log('\n== summary');
  for (const r of results) {
    const why = r.ok ? '' : r.passed === 0 && r.code === 0 ? '  (ran no test)' : `  (exit code ${r.code})`;
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.title.padEnd(50)} ${r.passed} passed, ${r.failed} failed`
      + `  ${r.seconds.toFixed(1)}s${why}`);
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  console.log(`total: ${passed} passed, ${failed} failed`);
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e.message ?? e);
    process.exit(1);
  },
);

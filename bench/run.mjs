// `npm run bench`: wasm-sse against its peers in headless Chromium. Options:
//   --rounds N   interleaved rounds (default 5)      --quick   1 round, workloads ÷ 10
//   --smoke      tiny workloads, 1 round, few first-event samples (for the tests)
//   --out DIR    where latest.json and latest.md go (default bench/results)
//   --profile W  also profile wasm-sse on workload W (W1a, …): profile-<w>.json (see profile.mjs)
// Exits non-zero when any candidate's totals differ from the generator's.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchPage, launchBenchBrowser } from './browser.mjs';
import { buildPeers, packageSizes } from './build.mjs';
import { firstEvent, memory, throughput } from './phases.mjs';
import { profileWasm } from './profile.mjs';
import { markdown, results } from './report.mjs';
import { startBenchServer } from './server.mjs';
import { chatWorkload, WORKLOADS } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    quick: { type: 'boolean' },
    smoke: { type: 'boolean' },
    out: { type: 'string' },
    profile: { type: 'string' },
  },
});
const preset = args.smoke ? { scale: 0.005, rounds: 1, ttfeSamples: 3 } : args.quick ? { scale: 0.1, rounds: 1, ttfeSamples: 10 } : { scale: 1, rounds: 5, ttfeSamples: 20 };
const options = { ...preset, rounds: Number(args.rounds ?? preset.rounds) };
if (!(options.rounds >= 1)) throw new Error('--rounds needs a positive number');
const outDir = args.out ?? new URL('results', import.meta.url).pathname;
const timeoutMs = 60_000;
const log = (line) => console.log(line);
const failures = [];
mkdirSync(outDir, { recursive: true });

log(`bundling the peers with esbuild…`);
await buildPeers();
const w4 = chatWorkload(options.scale);
const server = await startBenchServer({ w4: w4.bytes });
const browser = await launchBenchBrowser();
try {
  const context = await browser.newContext();
  const page = await benchPage(context, `${server.url}/`);
  await page.waitForFunction(() => window.benchReady);
  const candidates = await page.evaluate(() => window.bench.candidates);
  log(`generating the workloads (scale ${options.scale})…`);
  const inPage = WORKLOADS.filter((w) => w !== 'W4');
  const meta = await page.evaluate(([names, scale]) => window.bench.prepare(names, scale), [inPage, options.scale]);
  meta.W4 = { bytes: w4.bytes.length, chars: w4.chars, expected: w4.expected };
  for (const [w, m] of Object.entries(meta)) log(`  ${w}: ${(m.bytes / 1e6).toFixed(1)} MB, ${m.expected.count} events${m.splits ? `, chunk splits ${JSON.stringify(m.splits)}` : ''}`);

  // A first pass over the smallest workloads, untimed, so the JIT has seen every
  // candidate's code before round 1.
  log('warming up…');
  await throughput(page, { workloads: ['W1b', 'W3'], meta, candidates, rounds: 1, timeoutMs, failures, log: () => {} });

  log(`throughput: ${options.rounds} round(s), interleaved`);
  const runs = await throughput(page, { workloads: WORKLOADS, meta, candidates, rounds: options.rounds, timeoutMs, failures, log });
  await context.close();

  const ttfe = await firstEvent(browser, server.url, { samples: options.ttfeSamples, failures, log });
  const mem = await memory(browser, server.url, { scale: options.scale, candidates, timeoutMs, failures, log });
  const sizes = await packageSizes();
  if (args.profile !== undefined) {
    await profileWasm(browser, server.url, { workload: args.profile || 'W1a', scale: options.scale, outDir, log });
  }

  const env = {
    date: new Date().toISOString(),
    chromium: `Chromium ${browser.version()}`,
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    node: process.version,
  };
  const report = results({ env, options, meta, candidates, runs, ttfe, mem, sizes, failures });
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  const md = markdown(report);
  writeFileSync(join(outDir, 'latest.md'), md);
  console.log(`\n${md}`);
  console.log(`written to ${join(outDir, 'latest.json')} and latest.md`);
} finally {
  await browser.close();
  await server.close();
}
if (failures.length) {
  console.error(`\nFAILED: ${failures.length} check(s) did not match the generator:\n${failures.map((f) => `  ${f}`).join('\n')}`);
  process.exitCode = 1;
}

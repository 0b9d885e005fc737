// `npm run fuzz`: runs the parser's fuzz target (fuzz/fuzz_targets/parser.rs) with cargo fuzz
// on the nightly toolchain, seeded with the spec cases (fuzz/seeds/), and prints how many
// inputs it ran. Installs cargo-fuzz when it is missing.
//
//   npm run fuzz -- --seconds 600     how long to run (default 60)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './toolchain.mjs';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '60' } } });
const seconds = Math.max(1, Number.parseInt(args.seconds, 10) || 60);
const say = (msg) => console.log(`fuzz: ${msg}`);

const has = (cmd, cmdArgs) => spawnSync(cmd, cmdArgs, { stdio: 'ignore' }).status === 0;
if (!has('rustup', ['run', 'nightly', 'rustc', '--version'])) {
  console.error('fuzz: cargo fuzz needs the nightly toolchain: rustup toolchain install nightly');
  process.exit(1);
}
if (!has('cargo', ['fuzz', '--version'])) {
  say('installing cargo-fuzz');
  if (spawnSync('cargo', ['install', 'cargo-fuzz'], { stdio: 'inherit' }).status !== 0) process.exit(1);
}

const corpus = join(ROOT, 'fuzz', 'corpus', 'parser');
mkdirSync(corpus, { recursive: true });
say(`running the parser target for ${seconds} s (corpus: fuzz/corpus/parser, seeds: fuzz/seeds)`);
const started = Date.now();
const child = spawn('cargo', ['+nightly', 'fuzz', 'run', 'parser', corpus, join(ROOT, 'fuzz', 'seeds'), '--',
  `-max_total_time=${seconds}`, '-print_final_stats=1'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe'] });
let log = '';
child.stderr.on('data', (data) => {
  log += data;
  process.stderr.write(data);
});
child.on('close', (code) => {
  const executions = log.match(/stat::number_of_executed_units:\s*(\d+)/)?.[1];
  const crash = log.match(/Test unit written to (\S+)/)?.[1];
  const elapsed = ((Date.now() - started) / 1000).toFixed(0);
  if (crash) say(`FAILED: a crashing input was saved to ${crash}; add it to tests/fuzz_regressions.rs`);
  say(`${executions ?? 'an unknown number of'} executions in ${elapsed} s${code === 0 ? ', no crash' : ''}`);
  process.exit(code ?? 1);
});

// The benchmark in its smoke mode (tiny workloads, one round): every candidate must
// deliver exactly the events the generator wrote, on every workload, and the results
// must hold every figure the full run reports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from '../../scripts/toolchain.mjs';

const WORKLOADS = ['W1a', 'W1b', 'W2', 'W3', 'W4'];
const LIBRARIES = ['eventsource-parser', 'wasm-fetchEventSource', 'wasm-EventSource', 'wasm-iterate', 'ms-fetchEventSource', 'eventsource'];
const FLOORS = ['floor-read', 'floor-decode'];
let out;
let run;
let results;

before(() => {
  out = mkdtempSync(join(tmpdir(), 'wasm-sse-bench-'));
  run = spawnSync(process.execPath, ['bench/run.mjs', '--smoke', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
});

after(() => rmSync(out, { recursive: true, force: true }));

const finite = (x, what) => assert.ok(Number.isFinite(x) && x > 0, `${what} should be a positive number, got ${x}`);

test('the smoke run succeeds, prints the Markdown table and reports no failures', () => {
  assert.equal(run.status, 0, `the bench exited with ${run.status}:\n${run.stderr}\n${run.stdout.slice(-2000)}`);
  assert.match(run.stdout, /\| Workload \| Candidate \| MB\/s \|/);
  assert.match(run.stdout, /\| Workload \| × eventsource \| min–max × \|/);
  assert.deepEqual(results.failures, []);
  assert.equal(results.ok, true);
});

test("every candidate's totals equal the generator's, on every workload", () => {
  for (const w of WORKLOADS) {
    const { expected, bytes, chars } = results.workloads[w];
    assert.ok(expected.count > 0, `${w} has events`);
    const candidates = [...LIBRARIES, ...FLOORS, ...(w === 'W4' ? ['native-EventSource'] : []), ...(w.startsWith('W1') || w === 'W4' ? ['floor-slice', 'floor-wasm-slice'] : [])];
    assert.deepEqual(Object.keys(results.throughput[w]).sort(), candidates.sort(), `the candidates that ran on ${w}`);
    for (const id of candidates) {
      const { totals } = results.throughput[w][id];
      assert.equal(totals.length, 1, `one round of ${id} on ${w}`);
      const want = id === 'floor-read' ? { bytes } : id === 'floor-decode' ? { bytes, chars } : expected;
      assert.deepEqual(totals[0], want, `${id} on ${w}`);
    }
  }
  // W3 is there to exercise ids, named events and awkward chunk splits: make sure it does.
  assert.notEqual(results.workloads.W3.expected.lastId, '');
  assert.ok(results.workloads.W3.splits.crlf > 0 && results.workloads.W3.splits.utf8 > 0, 'W3 splits CRLFs and UTF-8 sequences');
});

test('the results hold throughput, ratios, first-event times, memory and sizes', () => {
  for (const [w, byCandidate] of Object.entries(results.throughput)) {
    for (const [id, x] of Object.entries(byCandidate)) {
      finite(x.mbps.median, `${id} ${w} MB/s`);
      finite(x.eventsPerSec.median, `${id} ${w} events/s`);
      assert.ok(x.mbps.min <= x.mbps.median && x.mbps.median <= x.mbps.max, `${id} ${w} min ≤ median ≤ max`);
      if (id === 'eventsource-parser') assert.equal(x.ratio, null);
      else finite(x.ratio.median, `${id} ${w} ratio to eventsource-parser`);
    }
  }
  const slowServer = ['wasm-sse, server answers after 50 ms', 'eventsource-parser, server answers after 50 ms'];
  for (const id of ['wasm-sse', 'eventsource-parser', 'wasm-sse + preload', 'eventsource-parser + preload', ...slowServer]) {
    const { median, samples, phases, wasmFetches } = results.firstEvent[id];
    finite(median, `${id} time to first event`);
    assert.equal(samples.length, 3);
    // Medians keep each sample's order: started, imported, then the request (sent while the
    // module loads) and the module ready, the open, the event.
    assert.ok(phases.started <= phases.imported && phases.imported <= median, `${id}: ${JSON.stringify(phases)}`);
    if (id.startsWith('wasm-sse')) {
      assert.ok(Number.isFinite(results.firstEvent[id].gap?.median), `${id}: the gap to eventsource-parser`);
      assert.ok(Number.isFinite(results.firstEvent[id].gapFromStart?.median), `${id}: the gap from the module start`);
      const { imported, request, ready, open } = phases;
      assert.ok(imported <= request && request <= open && imported <= ready && ready <= open && open <= median, `${id}: ${JSON.stringify(phases)}`);
      // The slow server's pages wait for it: each sample's event comes 50 ms or more after
      // its request, so the medians do too.
      if (slowServer.includes(id)) assert.ok(median >= phases.request + 50, `${id}: ${JSON.stringify(phases)}, first event ${median}`);
      // One fetch of the .wasm: with the preload link, the engine used the preloaded response.
      assert.deepEqual(wasmFetches, [1, 1, 1], `${id}: fetches of the .wasm`);
    } else {
      assert.deepEqual(wasmFetches, [0, 0, 0]);
    }
  }
  // The wasm floors: eventsource-parser after instantiating a module, compared per sample.
  const floors = { "floor: wasm-sse's .wasm instantiated, unused + preload": 1, 'floor: an empty wasm module instantiated + preload': 0 };
  for (const [id, fetches] of Object.entries(floors)) {
    const { median, samples, phases, wasmFetches, gap, gapFromStart } = results.firstEvent[id] ?? {};
    finite(median, `${id} time to first event`);
    assert.equal(samples.length, 3);
    assert.ok(phases.imported <= phases.instantiated && phases.instantiated <= median, `${id}: ${JSON.stringify(phases)}`);
    assert.ok(Number.isFinite(gap?.median), `${id}: the gap to eventsource-parser`);
    assert.ok(Number.isFinite(gapFromStart?.median), `${id}: the gap from the module start`);
    // wasm-sse's .wasm comes from its preload link, as the engine's does.
    assert.deepEqual(wasmFetches, [fetches, fetches, fetches], `${id}: fetches of the .wasm`);
  }
  for (const id of [...LIBRARIES, ...FLOORS]) {
    const m = results.memory[id];
    assert.ok(m && Number.isFinite(m.heapPeak), `memory of ${id} on W2`);
    const { bytes, chars, expected } = results.workloads.W2;
    const want = id === 'floor-read' ? { bytes } : id === 'floor-decode' ? { bytes, chars } : expected;
    assert.deepEqual(m.totals, want, `${id}'s memory run delivered W2 whole`);
    if (id.startsWith('wasm-')) finite(m.wasmAfter, `${id} wasm memory`);
  }
  for (const w of WORKLOADS) finite(results.classRatio[w]?.median, `${w}: the EventSource class against the eventsource package`);
  assert.equal(results.sizes.length, 6);
  for (const s of results.sizes) finite(s.totalGzip, `${s.id} gzipped size`);
  assert.ok(results.sizes.filter((s) => s.id.startsWith('wasm-sse')).every((s) => s.wasmGzip > 0), 'wasm-sse sizes include the wasm');
  for (const key of ['date', 'chromium', 'cpu', 'cores', 'node']) assert.ok(results.env[key], `env.${key}`);
});

test('bench:compare times builds against each other and fails a build whose totals are wrong', () => {
  // A copy of the package that drops the first character of every event's data.
  const broken = mkdtempSync(join(tmpdir(), 'wasm-sse-broken-'));
  try {
    cpSync(join(ROOT, 'pkg'), broken, { recursive: true });
    const batch = join(broken, 'batch.js');
    const source = readFileSync(batch, 'utf8');
    // Events one by one, and runs of messages (see js/batch.js).
    const single = source.replace("visit('event', type, data, id)", "visit('event', type, data.slice(1), id)");
    assert.notEqual(single, source, 'the mutation of single events applies');
    const mutated = single.replace("take(layout[j]), id)", "take(layout[j]).slice(1), id)");
    assert.notEqual(mutated, single, 'the mutation of runs applies');
    writeFileSync(batch, mutated);
    const compare = (...dirs) =>
      spawnSync(process.execPath, ['--expose-gc', 'bench/compare.mjs', '--workloads', 'W1b,W3', '--rounds', '2', '--scale', '0.02', ...dirs], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
    const good = compare('pkg', 'pkg');
    assert.equal(good.status, 0, good.stderr);
    for (const w of ['W1b', 'W3']) assert.match(good.stdout, new RegExp(`${w} \\(2 rounds`));
    assert.equal(good.stdout.match(/#2 pkg +[\d.]+ ms/g)?.length, 2, good.stdout);
    const bad = compare('pkg', broken);
    assert.equal(bad.status, 1, bad.stdout);
    assert.match(bad.stderr, /#2 .*: dataLength: expected \d+, got \d+/);
  } finally {
    rmSync(broken, { recursive: true, force: true });
  }
});

// Turns the measurements into bench/results/latest.json and a Markdown report.
import { candidatesFor, FIRST_EVENT_PAGES, REFERENCE } from './phases.mjs';
import { figures, median, summary } from './stats.mjs';

// The second reference: the `EventSource` class against the `eventsource` package,
// per round as for eventsource-parser.
const CLASS = 'wasm-EventSource';
const CLASS_REFERENCE = 'eventsource';

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const kilo = (x) => (Number.isFinite(x) ? `${Math.round(x / 1e3).toLocaleString('en-US')}k` : '–');
const mb = (x) => `${(x / 2 ** 20).toFixed(1)} MiB`;
const kb = (x) => `${(x / 1024).toFixed(1)} KiB`;

/** The JSON document: the environment, and every figure with its raw samples. */
export function results({ env, options, meta, candidates, runs, ttfe, mem, sizes, failures }) {
  const throughput = {};
  for (const [w, byCandidate] of Object.entries(runs)) {
    const size = { bytes: meta[w].bytes, events: meta[w].expected.count };
    const reference = byCandidate[REFERENCE]?.ms;
    throughput[w] = {};
    for (const c of candidatesFor(candidates, w)) {
      const run = byCandidate[c.id];
      if (!run) continue;
      throughput[w][c.id] = { ...figures(run.ms, c.id === REFERENCE ? null : reference, size), totals: run.totals };
    }
  }
  // Per round: the eventsource package's time over the class's (above 1: the class is faster).
  const classRatio = Object.fromEntries(
    Object.entries(runs)
      .filter(([, byCandidate]) => byCandidate[CLASS] && byCandidate[CLASS_REFERENCE])
      .map(([w, byCandidate]) => [w, summary(byCandidate[CLASS].ms.map((t, round) => byCandidate[CLASS_REFERENCE].ms[round] / t))]),
  );
  const phaseMedians = (phases) =>
    Object.fromEntries(Object.keys(phases[0] ?? {}).map((name) => [name, median(phases.map((p) => p[name]))]));
  // Page loads vary far more than the gap between two libraries, so the gap is taken per
  // sample: both pages of a sample load one after the other, in the same conditions.
  const against = Object.fromEntries(FIRST_EVENT_PAGES.map((p) => [p.id, p.against]));
  const gap = (id, ms) => {
    const other = ttfe[against[id]]?.ms;
    return other?.length === ms.length ? summary(ms.map((t, i) => t - other[i])) : null;
  };
  // The same gap counted from each page's module start: it leaves out how long the page took
  // to reach the module (the HTML, and the preloads loading beside it), which varies the most.
  const gapFromStart = (id, ms, phases) => {
    const other = ttfe[against[id]];
    if (other?.ms.length !== ms.length) return null;
    return summary(ms.map((t, i) => t - phases[i].started - (other.ms[i] - other.phases[i].started)));
  };
  const firstEvent = Object.fromEntries(
    Object.entries(ttfe).map(([id, { ms, phases, wasmFetches }]) => [
      id,
      {
        ...summary(ms),
        samples: ms,
        phases: phaseMedians(phases),
        wasmFetches,
        gap: gap(id, ms),
        gapFromStart: gapFromStart(id, ms, phases),
      },
    ]),
  );
  const workloads = Object.fromEntries(
    Object.entries(meta).map(([w, m]) => [w, { bytes: m.bytes, chars: m.chars, chunks: m.chunks, expected: m.expected, splits: m.splits }]),
  );
  return { env, options, candidates, workloads, throughput, classRatio, firstEvent, memory: mem, sizes, failures, ok: failures.length === 0 };
}

/** The Markdown report: a header, the throughput table, then first event, memory, sizes. */
export function markdown(r) {
  const label = Object.fromEntries(r.candidates.map((c) => [c.id, c.label]));
  const lines = [
    '# wasm-sse benchmark',
    '',
    `${r.env.date} · ${r.env.chromium} · ${r.env.cpu} × ${r.env.cores} cores · Node ${r.env.node} · ` +
      `${r.options.rounds} round(s), workload scale ${r.options.scale}`,
    '',
    'MB/s is 10^6 bytes of event stream per second. "× parser" is the speed relative to eventsource-parser ' +
      'in the same round (above 1 is faster), the median of the per-round ratios. Medians, with min–max.',
    '',
    '| Workload | Candidate | MB/s | min–max MB/s | events/s | × parser | min–max × |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const [w, byCandidate] of Object.entries(r.throughput)) {
    for (const [id, x] of Object.entries(byCandidate)) {
      const ratio = x.ratio ? [f2(x.ratio.median), `${f2(x.ratio.min)}–${f2(x.ratio.max)}`] : ['1.00', '–'];
      lines.push(`| ${w} | ${label[id]} | ${f1(x.mbps.median)} | ${f1(x.mbps.min)}–${f1(x.mbps.max)} | ${kilo(x.eventsPerSec.median)} | ${ratio.join(' | ')} |`);
    }
  }
  lines.push(
    '',
    '## The `EventSource` class against the `eventsource` package',
    '',
    "The package's time over the class's in the same round (above 1: the class is faster), median and min–max.",
    '',
    '| Workload | × eventsource | min–max × |',
    '|---|---:|---:|',
  );
  for (const [w, x] of Object.entries(r.classRatio ?? {})) lines.push(`| ${w} | ${f2(x.median)} | ${f2(x.min)}–${f2(x.max)} |`);
  lines.push('', '## Workloads', '', '| Workload | Size | Events | Chunks |', '|---|---:|---:|---:|');
  for (const [w, m] of Object.entries(r.workloads)) lines.push(`| ${w} | ${mb(m.bytes)} | ${m.expected.count.toLocaleString('en-US')} | ${m.chunks ?? 'TCP'} |`);
  lines.push(
    '',
    '## Time to first event (fresh page, cold cache; navigation start → first event)',
    '',
    '"Gap" is the time over eventsource-parser loaded the same way, taken per sample (both pages load in turn), median and min–max; ' +
      '"from module start" counts both pages from the start of their module script, leaving out the page load before it.',
    '',
    '| Library | median ms | min–max ms | gap ms | min–max gap | gap from module start | min–max | samples | on the way (medians, ms since navigation start) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const [id, x] of Object.entries(r.firstEvent)) {
    const phases = Object.entries(x.phases).map(([name, ms]) => `${name} ${f1(ms)}`).join(', ');
    const range = (g) => (g ? [f1(g.median), `${f1(g.min)}–${f1(g.max)}`] : ['–', '–']);
    const gaps = [...range(x.gap), ...range(x.gapFromStart)];
    lines.push(`| ${id} | ${f1(x.median)} | ${f1(x.min)}–${f1(x.max)} | ${gaps.join(' | ')} | ${x.samples.length} | ${phases} |`);
  }
  lines.push('', '## Peak memory on W2 (fresh page per candidate)', '', '| Candidate | JS heap peak above baseline | ÷ input | wasm memory before → after |', '|---|---:|---:|---:|');
  for (const [id, x] of Object.entries(r.memory)) {
    const wasm = id.startsWith('wasm-') ? `${mb(x.wasmBefore)} → ${mb(x.wasmAfter)}` : '–';
    lines.push(`| ${label[id]} | ${mb(x.heapPeak)} | ${f2(x.heapPeak / x.input)} | ${wasm} |`);
  }
  lines.push('', '## Size (esbuild --bundle --minify, gzip -9)', '', '| Library (API) | JS min | JS gz | wasm gz | total gz |', '|---|---:|---:|---:|---:|');
  for (const s of r.sizes) lines.push(`| ${s.id} | ${kb(s.js)} | ${kb(s.jsGzip)} | ${s.wasmGzip ? kb(s.wasmGzip) : '–'} | ${kb(s.totalGzip)} |`);
  if (r.failures.length) lines.push('', '## FAILURES', '', ...r.failures.map((f) => `- ${f}`));
  return `${lines.join('\n')}\n`;
}

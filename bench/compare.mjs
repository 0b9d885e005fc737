// `npm run bench:compare -- [--workloads W2,W1b] [--rounds N] [--scale S] DIR…`: builds of wasm-sse
// against each other, in Node. Each DIR is a built package (a copy of pkg/ made before a
// change, say, and pkg/ itself); each runs fetchEventSource over the workloads from an
// in-memory stream, interleaved with eventsource-parser, the order rotating every round.
// Timings of one build vary far less here than in Chromium, so this is where a change to
// the Rust side is measured first; `npm run bench` gives the figures that count.
// Exits non-zero when any build's totals differ from the generator's.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createParser } from 'eventsource-parser';
import { addEvent, differences, newTotals } from './totals.js';
import { END, generate } from './workloads.js';

const { values: args, positionals: dirs } = parseArgs({
  allowPositionals: true,
  options: {
    workloads: { type: 'string', default: 'W1a,W1b,W2,W3' },
    rounds: { type: 'string', default: '11' },
    scale: { type: 'string', default: '1' },
  },
});
const rounds = Number(args.rounds);
const scale = Number(args.scale);
if (!(rounds >= 1) || !(scale > 0) || dirs.length === 0) {
  console.error('usage: npm run bench:compare -- [--workloads W2,W1b] [--rounds N] [--scale S] DIR…');
  process.exit(2);
}
if (!globalThis.gc) console.warn('bench:compare: run with node --expose-gc, or samples start from an uncollected heap');

// The same chunks the browser benchmark uses, one per pull.
const respond = (w) => async () => {
  let i = 0;
  const body = new ReadableStream(
    {
      pull(controller) {
        if (i < w.chunks.length) controller.enqueue(w.chunks[i++]);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
};

function viaWasmSse({ fetchEventSource }) {
  return (w) => {
    const t = newTotals();
    const controller = new AbortController();
    return fetchEventSource('http://127.0.0.1/in-memory', {
      fetch: respond(w),
      signal: controller.signal,
      openWhenHidden: true,
      onmessage(m) {
        if (m.event === END) return controller.abort();
        addEvent(t, m.event || 'message', m.data, m.id);
      },
      onerror(error) {
        throw error;
      },
    }).then(() => t);
  };
}

async function viaEventsourceParser(w) {
  const t = newTotals();
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent(e) {
      if (e.event !== END) addEvent(t, e.event || 'message', e.data, e.id);
    },
  });
  const reader = (await respond(w)()).body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
  return t;
}

const candidates = [{ label: 'eventsource-parser', run: viaEventsourceParser }];
for (const [i, dir] of dirs.entries()) {
  const lib = await import(pathToFileURL(resolve(dir, 'node.js')).href);
  candidates.push({ label: `#${i + 1} ${dir}`, run: viaWasmSse(lib) });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
let failed = false;
for (const name of args.workloads.split(',')) {
  const w = generate(name, scale);
  const ms = candidates.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < candidates.length; k++) {
      const c = (k + round) % candidates.length;
      globalThis.gc?.();
      const start = performance.now();
      const totals = await candidates[c].run(w);
      ms[c].push(performance.now() - start);
      const wrong = differences(w.expected, totals);
      if (wrong.length) {
        console.error(`${name}: ${candidates[c].label}: ${wrong.join('; ')}`);
        failed = true;
      }
    }
  }
  console.log(`${name} (${rounds} rounds; median ms, min–max, and the median of the per-round ratios to eventsource-parser)`);
  candidates.forEach(({ label }, c) => {
    const ratio = median(ms[c].map((t, r) => ms[0][r] / t));
    console.log(`  ${label.padEnd(40)} ${median(ms[c]).toFixed(1).padStart(8)} ms  ${Math.min(...ms[c]).toFixed(1)}–${Math.max(...ms[c]).toFixed(1)}  ×${ratio.toFixed(2)}`);
  });
}
process.exit(failed ? 1 : 0);

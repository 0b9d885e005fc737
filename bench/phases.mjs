// The three measurements the runner makes in the browser: interleaved throughput rounds,
// time to first event in fresh pages, and peak memory on W2.
import { benchPage } from './browser.mjs';
import { differences } from './totals.js';
import { EVENT_TYPES } from './workloads.js';

export const REFERENCE = 'eventsource-parser';

/** Which candidates run on `workload` (the browser's EventSource needs real HTTP, say). */
export const candidatesFor = (candidates, workload) => candidates.filter((c) => !c.workloads || c.workloads.includes(workload));

/** What the candidate's totals get wrong (an empty list when they match). */
export function check(candidate, meta, totals) {
  const expected = candidate.floor
    ? candidate.id === 'floor-read'
      ? { bytes: meta.bytes }
      : { bytes: meta.bytes, chars: meta.chars }
    : meta.expected;
  return differences(expected, totals);
}

// Runs one sample; a candidate that throws or times out is recorded as a failure.
async function sample(page, workload, candidate, timeoutMs) {
  try {
    return await page.evaluate(([w, id, types, t]) => window.bench.run(w, id, types, t), [workload, candidate.id, EVENT_TYPES[workload], timeoutMs]);
  } catch (error) {
    return { ms: NaN, totals: null, error: error.message.split('\n')[0] };
  }
}

/**
 * Rounds of every workload × candidate, interleaved (A B C A B C …). Returns
 * `{ [workload]: { [candidate]: { ms: [], totals: [] } } }` and pushes failures to `failures`.
 */
export async function throughput(page, { workloads, meta, candidates, rounds, timeoutMs, failures, log }) {
  const out = {};
  for (let round = 0; round < rounds; round++) {
    const started = Date.now();
    for (const w of workloads) {
      for (const c of candidatesFor(candidates, w)) {
        const r = await sample(page, w, c, timeoutMs);
        const slot = ((out[w] ??= {})[c.id] ??= { ms: [], totals: [] });
        slot.ms.push(r.ms);
        slot.totals.push(r.totals);
        const wrong = r.error ? [r.error] : check(c, meta[w], r.totals);
        if (wrong.length) failures.push(`${c.id} on ${w}, round ${round + 1}: ${wrong.join('; ')}`);
      }
      const ref = out[w][REFERENCE].ms.at(-1);
      log(`  round ${round + 1}/${rounds} ${w}: ${Object.entries(out[w]).map(([id, s]) => `${id} ${(ref / s.ms.at(-1)).toFixed(2)}×`).join(', ')}`);
    }
    log(`round ${round + 1}/${rounds} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return out;
}

/** The time-to-first-event pages: each library without and with preload links. */
export const FIRST_EVENT_PAGES = [
  { id: 'wasm-sse', query: 'c=wasm-sse', against: 'eventsource-parser' },
  { id: 'eventsource-parser', query: 'c=eventsource-parser' },
  { id: 'wasm-sse + preload', query: 'c=wasm-sse&preload=1', against: 'eventsource-parser + preload' },
  { id: 'eventsource-parser + preload', query: 'c=eventsource-parser&preload=1' },
  // A server that takes 50 ms to answer (an LLM's first token): how much of the wasm's
  // loading the request's round trip hides (wasm-sse sends it while the module loads).
  { id: 'wasm-sse, server answers after 50 ms', query: 'c=wasm-sse&think=50', against: 'eventsource-parser, server answers after 50 ms' },
  { id: 'eventsource-parser, server answers after 50 ms', query: 'c=eventsource-parser&think=50' },
  // Floors (see ttfe.js): how much of the gap any wasm client of this size pays.
  { id: "floor: wasm-sse's .wasm instantiated, unused + preload", query: 'c=wasm-floor&preload=1', against: 'eventsource-parser + preload' },
  { id: 'floor: an empty wasm module instantiated + preload', query: 'c=empty-wasm-floor&preload=1', against: 'eventsource-parser + preload' },
];

/**
 * Time to first event, each sample in a new browser context (a cold page and cache),
 * interleaved: `{ [page id]: { ms: [], phases: [{ started, imported, ready?, request?, open?, instantiated? }], wasmFetches: [] } }`.
 */
export async function firstEvent(browser, url, { samples, failures, log }) {
  const out = Object.fromEntries(FIRST_EVENT_PAGES.map(({ id }) => [id, { ms: [], phases: [], wasmFetches: [] }]));
  for (let i = 0; i < samples; i++) {
    for (const { id, query } of FIRST_EVENT_PAGES) {
      const context = await browser.newContext();
      try {
        const page = await benchPage(context, `${url}/ttfe.html?${query}`);
        const handle = await page.waitForFunction(() => window.firstEvent, null, { timeout: 10_000 });
        out[id].ms.push(await handle.jsonValue());
        out[id].phases.push(await page.evaluate(() => window.phases));
        out[id].wasmFetches.push(await page.evaluate(() => window.wasmFetches));
      } catch (error) {
        failures.push(`time to first event, ${id}: ${error.message.split('\n')[0]}`);
      } finally {
        await context.close();
      }
    }
  }
  log(`time to first event: ${samples} samples each`);
  return out;
}

/** Peak JS heap and wasm memory while each candidate consumes W2, each in a fresh page. */
export async function memory(browser, url, { scale, candidates, timeoutMs, failures, log }) {
  const out = {};
  for (const c of candidatesFor(candidates, 'W2')) {
    const context = await browser.newContext();
    try {
      const page = await benchPage(context, `${url}/`);
      await page.waitForFunction(() => window.benchReady);
      const meta = await page.evaluate(([s]) => window.bench.prepare(['W2'], s), [scale]);
      const r = await page.evaluate(([id, types, t]) => window.bench.memory('W2', id, types, t), [c.id, EVENT_TYPES.W2, timeoutMs]);
      const wrong = check(c, meta.W2, r.totals);
      if (wrong.length) failures.push(`memory run of ${c.id} on W2: ${wrong.join('; ')}`);
      out[c.id] = { heapPeak: r.heapPeak, wasmBefore: r.wasmBefore, wasmAfter: r.wasmAfter, input: meta.W2.bytes, totals: r.totals };
    } catch (error) {
      failures.push(`memory run of ${c.id}: ${error.message.split('\n')[0]}`);
    } finally {
      await context.close();
    }
  }
  log('memory on W2: done');
  return out;
}

// CPU profiles of wasm-sse on one workload, through the DevTools protocol, summed
// by function self time: where the time goes inside one run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchPage } from './browser.mjs';
import { EVENT_TYPES } from './workloads.js';

// Self time per function: each sample's time goes to the node it landed in.
function selfTimes(profile) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = new Map();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byNode.get(id).callFrame;
    const file = url.split('/').pop();
    const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    total.set(key, (total.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const all = [...total.values()].reduce((a, b) => a + b, 0);
  return [...total].sort((a, b) => b[1] - a[1]).map(([fn, ms]) => ({ fn, ms: Math.round(ms), share: ms / all }));
}

// Profiles each of wasm-sse's three APIs on `workload`, in one page, after a warm-up run each.
const PROFILED = ['wasm-fetchEventSource', 'wasm-EventSource', 'wasm-iterate'];

export async function profileWasm(browser, url, { workload, scale, outDir, log }) {
  const context = await browser.newContext();
  const report = {};
  try {
    const page = await benchPage(context, `${url}/`);
    await page.waitForFunction(() => window.benchReady);
    await page.evaluate(([w, s]) => window.bench.prepare([w], s), [workload, scale]);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    for (const candidate of PROFILED) {
      const run = () => page.evaluate(([w, id, types]) => window.bench.run(w, id, types, 120_000), [workload, candidate, EVENT_TYPES[workload]]);
      await run(); // warm: the profile should show the steady state, not the first compile
      await cdp.send('Profiler.start');
      const { ms } = await run();
      const { profile } = await cdp.send('Profiler.stop');
      const top = selfTimes(profile).slice(0, 20);
      report[candidate] = { ms, top };
      log(`CPU profile of ${candidate} on ${workload} (${ms.toFixed(0)} ms), top self time:`);
      for (const t of top.slice(0, 12)) log(`  ${(t.share * 100).toFixed(1).padStart(5)}%  ${String(t.ms).padStart(5)} ms  ${t.fn}`);
    }
    writeFileSync(join(outDir, `profile-${workload.toLowerCase()}.json`), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await context.close();
  }
}

// A server restart seen by 1,000 clients in one Chromium page: with jitter off they all
// wait the same time and come back in one herd; with jitter on they spread over the
// policy's range. The server logs when each reconnect arrives; the page logs each client's
// error event and the delay it chose. `after` prints the figures as a table.
//
// 1,000 open streams need HTTP/2, so HTTPS: a self-signed certificate made for the run, and
// Chromium told to ignore certificate errors (see tests/support/h2-servers.mjs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser } from '../support/browser.mjs';
import { selfSignedCertificate, startH2Servers } from '../support/h2-servers.mjs';
import { until } from '../support/wait.mjs';

const CLIENTS = 1000;
/** Chromium opens at most 256 streams on one HTTP/2 connection: 250 per port. */
const PORTS = 4;
/**
 * The reconnection time. Its jitter range, half of it, must be well beyond the time this
 * page needs to notice 1,000 dropped streams and to send 1,000 requests (1 to 2 s on two
 * busy cores), or the page's own queueing would hide what jitter does.
 */
const BASE = 8000;
/** How long the restarted server refuses connections; shorter than any jittered delay, so
 * every client gets in at its first attempt. */
const DOWN_MS = 500;
/** The windows in which a herd is counted: 100 ms, and a second, which evens out the
 * bursts that come from the browser's processes waiting for a busy CPU. */
const WINDOW = 100;
const SECOND = 1000;

/** The most of the sorted `values` in any `width` ms. */
function busiest(sorted, width) {
  let most = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end] < sorted[start] + width) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

/** min, p10, median, p90, max, and the most values in any `WINDOW` ms and in any second. */
function spread(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p) => sorted[Math.ceil((p / 100) * sorted.length) - 1];
  const [min, max] = [sorted[0], sorted.at(-1)];
  return { n: sorted.length, min, p10: rank(10), median: rank(50), p90: rank(90), max, busiest: busiest(sorted, WINDOW), second: busiest(sorted, SECOND) };
}

const row = (label, s) =>
  `| ${label} | ${[s.min, s.p10, s.median, s.p90, s.max].map(Math.round).join(' | ')} | ${s.busiest} | ${s.second} |`;

const tls = selfSignedCertificate();
const skip = !tls && 'openssl not found: it makes the certificate HTTP/2 needs';
const results = {};
let servers;
let browser;
let page;

before(async () => {
  if (!tls) return;
  servers = await startH2Servers({ tls, ports: PORTS, maxStreams: CLIENTS });
  browser = await launchBrowser(['--ignore-certificate-errors']);
  // Not openPage: it would forward the thousands of "Failed to load resource" console
  // errors that the restart causes on purpose. The page's own errors still show.
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(`${servers.origins[0]}/blank`);
  await page.evaluate(() => import('/pkg/index.js').then((lib) => (globalThis.lib = lib)));
});

after(async () => {
  await browser?.close();
  await servers?.close();
  if (Object.keys(results).length === 0) return;
  console.log(
    [
      `\n${CLIENTS} clients in one page, reconnection time ${BASE} ms, server down ${DOWN_MS} ms; ms after the restart\n`,
      `| | min | p10 | median | p90 | max | busiest ${WINDOW} ms | busiest second |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...Object.entries(results).flatMap(([name, r]) => [
        row(`${name}: error event in the page`, r.noticed),
        row(`${name}: delay chosen (\`retryIn\`)`, r.delays),
        row(`${name}: reconnect later than chosen`, r.late),
        row(`${name}: **reconnect at the server**`, r.back),
      ]),
    ].join('\n'),
  );
});

/**
 * Opens `CLIENTS` sources with `jitter`, waits until all are open, restarts the server and
 * waits until every client is back. Returns the page's error events and the server's log.
 */
async function restartWith(run, jitter) {
  const retry = { reconnectionTime: BASE, backoff: { jitter } };
  await page.evaluate(([run, origins, count, retry]) => {
    const record = (globalThis[run] = { opened: 0, errors: [], sources: [] });
    for (let id = 0; id < count; id++) {
      const source = new lib.EventSource(`${origins[id % origins.length]}/stream?run=${run}&id=${id}`, { retry });
      source.onopen = () => record.opened++;
      source.onerror = (e) => record.errors.push({ id, at: performance.timeOrigin + performance.now(), retryIn: e.retryIn, attempt: e.attempt });
      record.sources.push(source);
    }
  }, [run, servers.origins, CLIENTS, retry]);
  const opened = () => page.evaluate((run) => globalThis[run].opened, run);
  // Every client must have its stream before the restart, or some would still be connecting.
  await until(async () => servers.open() === CLIENTS && (await opened()) === CLIENTS, `${CLIENTS} open streams`, 20_000);
  const restartAt = await servers.restart(DOWN_MS);
  await until(async () => (await opened()) === 2 * CLIENTS, 'every client back', 3 * BASE);
  const errors = await page.evaluate((run) => {
    const record = globalThis[run];
    record.sources.forEach((source) => source.close());
    delete globalThis[run];
    return record.errors;
  }, run);
  await until(() => servers.open() === 0, 'the streams closed', 5000);
  const back = (await servers.arrivals(run)).filter((a) => a.at > restartAt);
  return { restartAt, errors, back };
}

/** What every run must show: each client saw one error and came back once, never early. */
function summarise({ restartAt, errors, back }) {
  assert.equal(errors.length, CLIENTS, 'one error event per client: none hit the server while it was down');
  assert.ok(errors.every((e) => e.attempt === 1));
  assert.deepEqual(back.map((a) => a.id).sort((a, b) => a - b), [...Array(CLIENTS).keys()], 'every client back once');
  const errorOf = new Map(errors.map((e) => [e.id, e]));
  const early = back.filter((a) => a.at - restartAt < errorOf.get(a.id).retryIn);
  assert.deepEqual(early, [], 'no client is back before the delay it chose');
  return {
    noticed: spread(errors.map((e) => e.at - restartAt)),
    delays: spread(errors.map((e) => e.retryIn)),
    late: spread(back.map((a) => a.at - errorOf.get(a.id).at - errorOf.get(a.id).retryIn)),
    back: spread(back.map((a) => a.at - restartAt)),
  };
}

test('jitter off: every client waits the same time; the server gets nothing, then the whole herd', { skip }, async () => {
  const { delays, back } = (results['jitter 0'] = summarise(await restartWith('off', 0)));
  assert.deepEqual([delays.min, delays.max], [BASE, BASE], 'every client chose the same delay');
  assert.ok(back.min >= BASE, `the first reconnect ${back.min} ms after the restart`);
});

test('jitter 0.5: the delays spread over [BASE/2, BASE], and so do the reconnects', { skip }, async () => {
  const { delays, back } = (results['jitter 0.5'] = summarise(await restartWith('half', 0.5)));
  // The policy in the browser, with Math.random: uniform in [BASE/2, BASE], no 100 ms
  // holding more than its even share (25) plus seven standard deviations. Math.random is
  // not seeded here, so the bound is what 1,000 truly uniform samples stay under: their
  // busiest sliding 100 ms reached 50 in 1 of 370 simulated draws (the five deviations of
  // tests/reconnect_spread.rs, whose samples are seeded), 59 at most in 1,000,000.
  const even = (CLIENTS * WINDOW) / (BASE / 2);
  assert.ok(delays.min >= BASE / 2 && delays.max <= BASE, JSON.stringify(delays));
  assert.ok(delays.p10 < 0.6 * BASE && delays.p90 > 0.9 * BASE, JSON.stringify(delays));
  assert.ok(delays.busiest < even + 7 * Math.sqrt(even), JSON.stringify(delays));
  // The server sees them spread over most of that range: the page adds its own spread to
  // the delays, it cannot take theirs away.
  assert.ok(back.p90 - back.p10 > 0.5 * (BASE / 2), `p10 to p90: ${back.p90 - back.p10} ms`);
  // Without jitter nobody is back before BASE; with it, most are.
  assert.ok(back.median < BASE, `median ${back.median} ms`);
});

test('jitter makes the herd at the restarted server smaller and longer', { skip }, async () => {
  const [off, on] = [results['jitter 0']?.back, results['jitter 0.5']?.back];
  assert.ok(off && on, 'both runs above completed');
  const says = (key) => `${on[key]} with jitter, ${off[key]} without`;
  assert.ok(on.p90 - on.p10 > off.p90 - off.p10, `p10 to p90: ${on.p90 - on.p10} ms with jitter, ${off.p90 - off.p10} ms without`);
  assert.ok(on.busiest < off.busiest, `busiest ${WINDOW} ms: ${says('busiest')}`);
  // Per second the page's bursts even out: a margin that holds on two busy cores.
  assert.ok(1.5 * on.second < off.second, `busiest second: ${says('second')}`);
});

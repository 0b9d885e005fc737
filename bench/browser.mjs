// Headless Chromium as the tests launch it, plus two flags the bench needs: precise
// `performance.memory` (otherwise rounded and cached) and `gc()` so each sample starts
// from a collected heap.
import { launchBrowser } from '../tests/support/browser.mjs';

export const launchBenchBrowser = () => launchBrowser(['--enable-precise-memory-info', '--js-flags=--expose-gc']);

/** A page of the bench server, its errors forwarded to stderr. */
export async function benchPage(context, url) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`[page console] ${m.text()}`));
  await page.goto(url);
  return page;
}

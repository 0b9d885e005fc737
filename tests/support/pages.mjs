// What the page-level end-to-end tests share: a server and a browser per test file, and pages
// that record what would worry a user (page errors, console errors, CSP violations).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startServer } from '../../scripts/sse-server.mjs';
import { ROOT } from '../../scripts/toolchain.mjs';
import { launchBrowser } from './browser.mjs';

/** Where screenshots go (git-ignored). */
export const SHOTS = join(ROOT, 'test-output');

/**
 * Starts a server and a browser before the file's tests and stops them after. Returns
 * `{ server, browser, ready }`; a file's own `before` hook awaits `ready` (the runner does not
 * wait for one root hook before starting the next).
 */
export function serverAndBrowser() {
  const live = {};
  live.ready = new Promise((resolve, reject) => {
    before(async () => {
      try {
        mkdirSync(SHOTS, { recursive: true });
        live.server = await startServer();
        live.browser = await launchBrowser();
        resolve();
      } catch (e) {
        reject(e);
        throw e;
      }
    });
  });
  live.ready.catch(() => {}); // reported by the hook itself
  after(async () => {
    await live.browser?.close();
    await live.server?.close();
  });
  return live;
}

/**
 * Opens `url` in a new page of `target` (a browser or a context) at 1100x700, calling
 * `prepare(page)` first if given. The page's `problems` collects page errors and console
 * errors; CSP violations are kept in the page.
 */
export async function openWatched(target, url, prepare) {
  const page = await target.newPage();
  await page.setViewportSize({ width: 1100, height: 700 });
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && page.problems.push(`console: ${m.text()}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => (window.__csp ??= []).push(e.violatedDirective));
  });
  await prepare?.(page);
  await page.goto(url);
  return page;
}

/** Asserts that `page` had no page or console errors and no CSP violations. */
export async function checkClean(page) {
  assert.deepEqual(page.problems, [], 'no page or console errors');
  assert.deepEqual(await page.evaluate(() => window.__csp ?? []), [], 'no CSP violations');
}

// Headless Chromium for the end-to-end tests, driven by playwright-core (no browser
// download: it uses the machine's Chromium, which the bootstrap installs).
import { chromium } from 'playwright-core';
import { browser as findBrowser } from '../../scripts/toolchain.mjs';

// Flags for a machine without outside network: no background traffic or updates.
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Headless Chromium with the flags above, plus `extraArgs`. */
export async function launchBrowser(extraArgs = []) {
  const { chromium: executablePath } = findBrowser();
  if (!executablePath) throw new Error('Chromium not found: run `npm run bootstrap`');
  return chromium.launch({ executablePath, headless: true, args: [...ARGS, ...extraArgs] });
}

/** A page on `origin`, with the page's console errors forwarded to the test output. */
export async function openPage(browser, origin) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`[page console] ${m.text()}`));
  await page.goto(`${origin}/blank`);
  return page;
}

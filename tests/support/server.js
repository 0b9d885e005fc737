// Helpers for tests/web_client.rs: reading the test server's request log.

/** The server's log of requests made with `?key=<key>` (see scripts/scenarios.mjs). */
export async function serverLog(origin, key) {
  const response = await fetch(`${origin}/log/${encodeURIComponent(key)}`, { cache: 'no-store' });
  return JSON.stringify(await response.json());
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A key no other test uses. */
let counter = 0;
export function uniqueKey(name) {
  counter += 1;
  return `${name}-${Date.now()}-${counter}`;
}

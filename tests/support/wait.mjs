// Small helpers the end-to-end tests share: unique request-log keys, and waiting.
import assert from 'node:assert/strict';

/** Returns `freshKey(name)`, giving each test a request-log key of its own. */
export function keyMaker(prefix) {
  let keys = 0;
  return (name) => `${prefix}${name}-${process.pid}-${++keys}`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `predicate()` (maybe async) holds; fails with `what` after `ms`. */
export async function until(predicate, what, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    assert.ok(Date.now() < deadline, `timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

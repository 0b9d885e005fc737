// The package's TypeScript types, checked with tsc against tests/types/compat.ts: the
// EventSource class stands where the browser's is expected, fetchEventSource takes
// @microsoft/fetch-event-source's options, and wrong options stay type errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../scripts/toolchain.mjs';

test('the published .d.ts type-checks against the browser EventSource and the fetch-event-source API', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tests', 'types')], { encoding: 'utf8' });
  assert.equal(result.status, 0, `tsc reported:\n${result.stdout}${result.stderr}`);
});

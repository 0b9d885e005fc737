// The package's TypeScript types, checked with tsc:
// - tests/types/compat.ts: the EventSource class stands where the browser's is expected,
//   fetchEventSource takes @microsoft/fetch-event-source's options, wrong options stay errors;
// - tests/types/consumer/: a user's module importing 'wasm-sse' by name, resolved through a
//   node_modules link to pkg/ as npm would install it, under `bundler` and `node16` resolution.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from '../../scripts/toolchain.mjs';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = mkdtempSync(join(tmpdir(), 'wasm-sse-ts-'));
after(() => rmSync(project, { recursive: true, force: true }));

function typeCheck(config) {
  const result = spawnSync(process.execPath, [tsc, '-p', config], { encoding: 'utf8' });
  assert.equal(result.status, 0, `tsc reported:\n${result.stdout}${result.stderr}`);
}

test('the published .d.ts type-checks against the browser EventSource and the fetch-event-source API', () => {
  typeCheck(join(ROOT, 'tests', 'types'));
});

test('a TypeScript project that imports the installed package by name type-checks (bundler and node16)', () => {
  cpSync(join(ROOT, 'tests', 'types', 'consumer'), project, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{ "type": "module", "private": true }\n');
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(join(ROOT, 'pkg'), join(project, 'node_modules', 'wasm-sse'), 'dir');
  typeCheck(join(project, 'tsconfig.bundler.json'));
  typeCheck(join(project, 'tsconfig.node16.json'));
});

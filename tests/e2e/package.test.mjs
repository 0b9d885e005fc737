// The built pkg/ is a real npm package: what `npm pack` would publish, and its manifest.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../scripts/toolchain.mjs';

const PKG = join(ROOT, 'pkg');
const manifest = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));

test('npm pack lists the wasm, the JS entry, its glue and the type declarations', () => {
  const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: PKG, encoding: 'utf8' }));
  const files = report.files.map((f) => f.path).sort();
  for (const f of ['index.js', 'index.d.ts', 'init.js', 'parser.js', 'wasm_sse.js', 'wasm_sse_bg.wasm', 'package.json', 'README.md']) {
    assert.ok(files.includes(f), `${f} should be packed; packed: ${files}`);
  }
  assert.equal(report.name, 'wasm-sse');
  assert.ok(files.every((f) => !f.endsWith('.rs')), 'no Rust sources in the npm package');
});

test('the manifest is an ES module package with typed exports, the wasm subpath and side effects only in the Node entry', () => {
  const cargoVersion = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^version\s*=\s*"([^"]+)"/m)[1];
  assert.equal(manifest.version, cargoVersion);
  assert.equal(manifest.type, 'module');
  // Node gets an entry that reads the wasm from disk; bundlers and browsers the default one.
  assert.deepEqual(manifest.exports['.'], { types: './index.d.ts', node: './node.js', default: './index.js' });
  assert.equal(manifest.exports['./wasm_sse_bg.wasm'], './wasm_sse_bg.wasm');
  // Only the Node entry has an effect (it points the wasm at the file on disk); the rest
  // can be tree-shaken.
  assert.deepEqual(manifest.sideEffects, ['./node.js']);
});

test('every relative import inside the package resolves to a packed file', () => {
  for (const f of manifest.files.filter((name) => name.endsWith('.js'))) {
    const source = readFileSync(join(PKG, f), 'utf8');
    for (const [, spec] of source.matchAll(/(?:import|export)[^'"]*?from\s*'(\.\/[^']+)'/g)) {
      const packed = manifest.files.some((entry) => (entry.endsWith('/') ? spec.slice(2).startsWith(entry) : entry === spec.slice(2)));
      assert.ok(packed, `${f} imports ${spec}, which is not in "files"`);
      assert.ok(existsSync(join(PKG, spec)), `${f} imports ${spec}, which the build did not write`);
    }
  }
});

test('no eval or new Function anywhere in the package: it must run under script-src without unsafe-eval', () => {
  const scripts = readdirSync(PKG, { recursive: true }).filter((name) => name.endsWith('.js'));
  assert.ok(scripts.some((name) => name.startsWith('snippets')), 'the snippets are scanned too');
  for (const f of scripts) {
    const source = readFileSync(join(PKG, f), 'utf8');
    assert.doesNotMatch(source, /\beval\s*\(|\bnew\s+Function\b|\bFunction\s*\(\s*['"`]/, `${f} evaluates code`);
  }
});

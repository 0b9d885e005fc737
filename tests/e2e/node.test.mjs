// The package in Node 20+ (fetch is global there): examples/node/chat.mjs imports 'wasm-sse'
// by name, so Node picks the package's `node` entry, which loads the wasm from disk.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { answerFor } from '../../scripts/demo-routes.mjs';
import { startServer } from '../../scripts/sse-server.mjs';
import { ROOT } from '../../scripts/toolchain.mjs';

const DIR = join(ROOT, 'examples', 'node');
let server;

before(async () => {
  assert.ok(existsSync(join(DIR, 'node_modules', 'wasm-sse')), 'examples/node has no node_modules: run `node scripts/examples.mjs`');
  server = await startServer();
});

after(() => server?.close());

/** Runs chat.mjs; resolves with its exit code, stdout, stderr and when each stdout chunk came. */
function chat(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['chat.mjs', ...args], { cwd: DIR, env: { ...process.env, ...env } });
    const out = { stdout: '', stderr: '', chunks: [] };
    child.stdout.on('data', (d) => {
      out.stdout += d;
      out.chunks.push(Date.now());
    });
    child.stderr.on('data', (d) => (out.stderr += d));
    child.on('close', (code) => resolve({ ...out, code }));
  });
}

test('Node streams a chat answer as it is generated, through the package name', async () => {
  const question = 'Does it run in Node?';
  const result = await chat([question], { CHAT_URL: `${server.url}/v1/chat/completions?delay=15` });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${answerFor([{ role: 'user', content: question }])}\n`);
  assert.ok(result.chunks.length >= 10, `the answer reached stdout in pieces (${result.chunks.length} writes)`);
  assert.ok(result.chunks.at(-1) - result.chunks[0] >= 500, 'over the time the server took to generate it');
  assert.equal(server.chats().at(-1).outcome, 'done');
});

test('Node resumes a dropped stream with Last-Event-ID', async () => {
  const question = 'And when the connection drops?';
  const result = await chat([question], { CHAT_URL: `${server.url}/v1/chat/completions?delay=5&dropAfter=10` });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /reconnecting in 1000 ms/);
  assert.equal(result.stdout.replace(/\n$/, ''), answerFor([{ role: 'user', content: question }]));
  assert.deepEqual(server.chats().slice(-2).map((c) => c.outcome), ['dropped', 'done']);
});

test('Node reports a 401 with the server\'s message and a failing exit code', async () => {
  const result = await chat(['hi'], { CHAT_URL: `${server.url}/v1/chat/completions`, CHAT_TOKEN: 'wrong' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error: .*401.*: Incorrect API key provided/m);
});

// CommonJS code (a `require` in a .cjs file, a CommonJS test runner in Node) loads the ES
// module package through Node's own `require` of ES modules (Node 20.19+ and 22.12+), which
// works because no module of the package awaits at its top level.
test('CommonJS code can require the package and stream with it', async () => {
  const script = `
    const { createParser, fetchEventSource } = require('wasm-sse');
    (async () => {
      const parser = await createParser();
      const items = parser.feed(new TextEncoder().encode('id: 7\\ndata: parsed\\n\\n'));
      const messages = [];
      await fetchEventSource(process.env.STREAM_URL, {
        onmessage: (message) => messages.push(message.data),
        onerror: (error) => { throw error; },
      });
      console.log(JSON.stringify({ items, messages }));
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const result = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: DIR, env: { ...process.env, STREAM_URL: `${server.url}/sse/end?count=3` } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(result.code, 0, result.stderr);
  const { items, messages } = JSON.parse(result.stdout);
  assert.deepEqual(items, [{ kind: 'event', type: 'message', data: 'parsed', lastEventId: '7' }]);
  assert.deepEqual(messages, ['event 1', 'event 2', 'event 3']);
});

// An app bundled for Node (esbuild --platform=node, which honours the package's
// `sideEffects`) keeps node.js's one statement, which points the wasm at the file on disk:
// with `"sideEffects": false` the bundler dropped it and the wasm was fetched from a
// `file:` URL, which Node's fetch cannot do.
test('an app bundled for Node with esbuild loads the wasm from the file beside the bundle', async (t) => {
  const { execFileSync, spawnSync } = await import('node:child_process');
  const { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'wasm-sse-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'pkg'), join(dir, 'node_modules', 'wasm-sse'));
  writeFileSync(join(dir, 'app.mjs'), "import { createParser } from 'wasm-sse';\nconst parser = await createParser();\nconsole.log(parser.feed('data: bundled\\n\\n')[0].data);\n");
  const out = join(dir, 'dist');
  execFileSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), ['app.mjs', '--bundle', '--platform=node', '--format=esm', `--outfile=${join(out, 'app.mjs')}`, '--log-level=error'], { cwd: dir });
  copyFileSync(join(ROOT, 'pkg', 'wasm_sse_bg.wasm'), join(out, 'wasm_sse_bg.wasm'));
  const result = spawnSync(process.execPath, [join(out, 'app.mjs')], { encoding: 'utf8' });
  assert.equal(result.stdout.trim(), 'bundled', result.stderr);
});

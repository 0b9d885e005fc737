// `npm start`'s server as a newcomer meets it: it prints its URL and pages, serves them, and
// Ctrl-C stops it cleanly even while a stream is open. (`--no-build`: the test suite has
// built everything already, and rebuilding pkg/ under the other tests would pull it away.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXAMPLES } from '../../scripts/examples.mjs';
import { ROOT } from '../../scripts/toolchain.mjs';
import { until } from '../support/wait.mjs';

test('npm start prints the URL and every page, serves them, and stops on Ctrl-C', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--no-build'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0' },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    await until(() => /Ctrl-C/.test(output), 'the start banner', 10_000);
    const url = output.match(/wasm-sse demo: (http:\/\/127\.0\.0\.1:\d+)\//)?.[1];
    assert.ok(url, `a URL on 127.0.0.1 is printed:\n${output}`);
    for (const [name, example] of Object.entries(EXAMPLES)) {
      if (example.kind === 'node') continue;
      assert.ok(output.includes(`${url}/examples/${name}/`), `the ${name} page is listed`);
      const page = await fetch(`${url}/examples/${name}/`);
      assert.equal(page.status, 200, `${name} is served`);
      assert.match(page.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
    }
    assert.match(output, /POST \/v1\/chat\/completions/);
    assert.match(await (await fetch(`${url}/`)).text(), /examples\/inspector\//);

    const stream = await fetch(`${url}/events?interval=50`); // open while the server stops
    assert.equal(stream.status, 200);
    child.kill('SIGINT');
    const { code } = await Promise.race([exited, new Promise((r) => setTimeout(() => r({ code: 'hung' }), 5000))]);
    assert.equal(code, 0, `exits 0 on Ctrl-C:\n${output}`);
    assert.match(output, /stopped/);
  } finally {
    child.kill('SIGKILL');
  }
});

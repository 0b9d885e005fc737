// The demo server's front page (`/`): the examples and the endpoints, from one list
// (examples.mjs), so the page, `npm start`'s output and the README say the same thing.
import { EXAMPLES } from './examples.mjs';

/** The demo's endpoints, as `npm start` prints them and the page lists them. */
export const ENDPOINTS = [
  ['POST /v1/chat/completions', 'OpenAI-style chat stream; needs Authorization: Bearer demo-token; ?delay=ms, ?dropAfter=n'],
  ['GET /events', 'a live ticker: ids, a named status event, heartbeat comments, retry; resumes from Last-Event-ID'],
  ['GET /sse/<scenario>', 'test scenarios: drops and resumes, 204, error statuses, wrong types, awkward chunking'],
];

const escape = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

export function landingPage() {
  const cards = Object.entries(EXAMPLES).map(([name, { kind, title, what }]) => {
    const body = `<h2>${escape(title)}</h2><p>${escape(what)}</p>`;
    return kind === 'node'
      ? `<div class="card">${body}<code>examples/node/</code></div>`
      : `<a class="card" href="/examples/${name}/">${body}<code>examples/${name}/</code></a>`;
  });
  const endpoints = ENDPOINTS.map(([route, what]) => `<tr><td><code>${escape(route)}</code></td><td>${escape(what)}</td></tr>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wasm-sse demo</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f5f6fa; }
  body { max-width: 1000px; margin: 2.5rem auto; padding: 0 1.25rem; }
  h1 { margin: 0; font-size: 1.8rem; }
  header p { color: #4a5468; margin: .4rem 0 1.8rem; line-height: 1.5; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(290px, 1fr)); gap: 1rem; }
  .card { display: block; background: #fff; border: 1px solid #e2e5ee; border-radius: 10px; padding: 1rem 1.1rem;
    color: inherit; text-decoration: none; box-shadow: 0 1px 2px #0000000d; }
  a.card:hover { border-color: #3559e0; box-shadow: 0 2px 8px #3559e022; }
  .card h2 { margin: 0 0 .35rem; font-size: 1.05rem; color: #3559e0; }
  .card p { margin: 0 0 .6rem; font-size: .9rem; color: #4a5468; line-height: 1.4; }
  code { font-family: ui-monospace, monospace; font-size: .8rem; color: #59607a; }
  h3 { margin: 2rem 0 .6rem; font-size: 1rem; }
  table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #e2e5ee; border-radius: 10px; }
  td { padding: .5rem .8rem; border-bottom: 1px solid #eef0f5; font-size: .88rem; vertical-align: top; }
  td:first-child { white-space: nowrap; }
</style>
</head>
<body>
<header>
  <h1>wasm-sse</h1>
  <p>A spec-exact Server-Sent Events client in Rust and WebAssembly: an <code>EventSource</code> that can POST,
  a drop-in <code>fetchEventSource</code>, async iteration, and a Rust <code>Stream</code>. Every page here uses the
  built package under a strict Content Security Policy.</p>
</header>
<div class="grid">
${cards.join('\n')}
</div>
<h3>Endpoints of this server</h3>
<table>
${endpoints.join('\n')}
</table>
</body>
</html>
`;
}

// The demo page: read a fetch body and show each parsed item as it arrives.
import { parseEventStream } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
let controller;

function row(cells, className) {
  const tr = document.createElement('tr');
  tr.className = className;
  for (const [text, cls] of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.append(td);
  }
  $('log').prepend(tr);
}

async function connect(url) {
  controller = new AbortController();
  $('start').disabled = true;
  $('stop').disabled = false;
  $('status').textContent = 'connecting…';
  const t0 = performance.now();
  const ms = () => String(Math.round(performance.now() - t0));
  try {
    const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
    $('status').textContent = `open: ${response.status} ${response.headers.get('content-type')}`;
    for await (const item of parseEventStream(response)) {
      if (item.kind === 'event') {
        const data = item.data === '' ? '(empty data)' : item.data;
        row([[ms()], ['event'], [item.type], [item.lastEventId], [data, 'data']], 'event');
      }
      if (item.kind === 'comment') row([[ms()], ['comment'], [''], [''], [item.comment, 'data']], 'comment');
      if (item.kind === 'retry') row([[ms()], ['retry'], [''], [''], [`${item.retry} ms`, 'data']], 'retry');
    }
    $('status').textContent = 'stream ended';
  } catch (e) {
    if (e.name === 'AbortError') $('status').textContent = 'stopped';
    else {
      $('status').textContent = 'error';
      row([[ms()], ['error'], [e.name], [''], [e.message, 'data']], 'error');
    }
  } finally {
    $('start').disabled = false;
    $('stop').disabled = true;
  }
}

$('connect').addEventListener('submit', (e) => {
  e.preventDefault();
  $('log').replaceChildren();
  connect($('url').value);
});
$('stop').addEventListener('click', () => controller?.abort());

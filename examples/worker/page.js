// The page side: it starts and stops the worker's stream and renders what the worker
// posts. It never parses a byte of the stream itself.
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const $ = (id) => document.getElementById(id);
let received = 0;

function setState(state) {
  $('state').dataset.state = state;
  $('state').textContent = state;
  const running = state === 'connecting' || state === 'open' || state === 'reconnecting';
  $('start').disabled = running;
  $('stop').disabled = !running;
}

function logState({ state, message, willRetry, retryIn }) {
  const detail = willRetry ? `${message}; retry in ${retryIn} ms` : message;
  const li = Object.assign(document.createElement('li'), { textContent: detail ? `${state}: ${detail}` : state });
  li.dataset.state = state;
  $('states').prepend(li);
}

function addEvent({ type, id, data }) {
  $('count').textContent = ++received;
  const row = $('events').insertRow(0);
  row.className = type;
  for (const text of [type, id, data]) row.insertCell().textContent = text;
  $('events').rows[12]?.remove(); // the newest dozen is plenty to watch
}

worker.onmessage = ({ data }) => {
  if (data.kind === 'event') return addEvent(data);
  setState(data.state);
  logState(data);
};
worker.onerror = (e) => {
  setState('failed');
  logState({ state: 'failed', message: e.message || 'the worker failed to start' });
};

$('start').addEventListener('click', () => worker.postMessage({ command: 'start', url: '/events?interval=500' }));
$('stop').addEventListener('click', () => worker.postMessage({ command: 'stop' }));

// The SSE inspector: connect to any URL with any method, headers and body, and watch every
// item of the stream (events, comments, retry changes, reconnects, errors) on a timeline.
//
// The page imports the built package by URL, as the demo server serves it at /pkg/. In an
// app you would write `import { EventSource } from 'wasm-sse'` and let your bundler, or an
// import map, resolve it.
import { EventSource, SseErrorEvent } from '../../pkg/index.js';
import { RequestForm } from './request.js';
import { Timeline } from './timeline.js';

const STATES = ['CONNECTING', 'OPEN', 'CLOSED'];

// EventTarget has no catch-all listener, but an inspector must show events of every name,
// including ones nobody expected. A source fires each of its events through dispatchEvent,
// so a subclass sees them all, in stream order, before any listener does.
class InspectedSource extends EventSource {
  observer = null;

  dispatchEvent(event) {
    this.observer?.(event);
    return super.dispatchEvent(event);
  }
}

const form = new RequestForm(document.getElementById('request'));
const timeline = new Timeline(document.getElementById('timeline'));
const disconnectButton = document.getElementById('disconnect');
const formError = document.getElementById('form-error');
const stateBadge = document.getElementById('ready-state');

let source = null;
let startedAt = 0;

const record = (entry) => timeline.add({ t: Math.round(performance.now() - startedAt), ...entry });

function showState() {
  const state = source ? STATES[source.readyState] : 'IDLE';
  stateBadge.textContent = state;
  stateBadge.dataset.state = state.toLowerCase();
  disconnectButton.disabled = !source || source.readyState === EventSource.CLOSED;
}

/** Stops the current source by hand (Disconnect, a new Connect, or [DONE]). */
function stop(note) {
  if (!source || source.readyState === EventSource.CLOSED) return;
  source.close();
  record({ kind: 'closed', closeReason: source.closeReason, note });
  showState();
}

function observe(current, event, { method, stopAtDone }) {
  if (current !== source) return;
  if (event.type === 'open') {
    record({ kind: 'open', data: `${method} ${current.url}` });
  } else if (event instanceof SseErrorEvent) {
    const { reason, code: status, message } = event;
    if (event.willRetry) {
      record({ kind: 'reconnect', reason, status, message, delay: event.retryIn, attempt: event.attempt });
    } else {
      record({ kind: 'error', reason, status, message, body: event.error?.body });
      record({ kind: 'closed', closeReason: current.closeReason });
    }
  } else if (event instanceof MessageEvent) {
    record({ kind: 'event', type: event.type, id: event.lastEventId, data: event.data });
    // A chat stream ends with [DONE] and then the body: without stopping here, an
    // EventSource would reconnect and send the request again.
    if (stopAtDone && event.data.trim() === '[DONE]') stop('stopped at [DONE]');
  }
  showState();
}

function connect() {
  const request = form.read();
  formError.textContent = request.error ?? '';
  if (request.error) return;
  stop();
  timeline.clear(); // times count from this connection's start
  const { url, init, stopAtDone } = request;
  startedAt = performance.now();
  const options = {
    ...init,
    onComment: (text) => current === source && record({ kind: 'comment', data: text }),
    onRetry: (ms) => current === source && record({ kind: 'retry', retry: ms }),
  };
  let current;
  try {
    current = new InspectedSource(url, options);
  } catch (e) {
    formError.textContent = e.message;
    return;
  }
  current.observer = (event) => observe(current, event, { method: init.method, stopAtDone });
  source = current;
  showState();
}

document.getElementById('request').addEventListener('submit', (e) => {
  e.preventDefault();
  connect();
});
disconnectButton.addEventListener('click', () => stop());
form.applyPreset('ticker');
showState();

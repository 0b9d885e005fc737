// Runs the event stream off the main thread: the connection, the wasm parser and the
// reconnects all live here, and the page only receives small plain messages.
// In your app: import { EventSource } from 'wasm-sse' (through a bundler, or from your own
// copy of the package). This example loads the built package by URL, with no build step.
import { EventSource } from '../../pkg/index.js';

let source = null;

function start(url) {
  source?.close();
  source = new EventSource(url);
  const forward = (e) => postMessage({ kind: 'event', type: e.type, id: e.lastEventId, data: e.data });
  source.onmessage = forward;
  source.addEventListener('status', forward);
  source.onopen = () => postMessage({ kind: 'state', state: 'open' });
  source.onerror = (e) => postMessage({
    kind: 'state', state: e.willRetry ? 'reconnecting' : 'closed', message: e.message, willRetry: e.willRetry, retryIn: e.retryIn,
  });
  postMessage({ kind: 'state', state: 'connecting' });
}

function stop() {
  source?.close();
  source = null;
  postMessage({ kind: 'state', state: 'closed', message: 'closed by the page' });
}

self.onmessage = ({ data }) => (data.command === 'start' ? start(data.url) : stop());

// The candidates, each as `run(input, types) => Promise<totals>`. `input` gives the
// workload three ways: `fetch` (a function answering every request with a Response over
// the workload's chunks), `stream()` (the same chunks as a bare ReadableStream) and
// `url`. Over HTTP (W4) `fetch` is undefined, so the candidates use the real network.
// Every candidate stops on the workload's final `end` event and does not count it.
import { EventSource as WasmEventSource, fetchEventSource as wasmFetchEventSource } from '/pkg/index.js';
import { createParser, msFetchEventSource, PolyfillEventSource } from '/peers.js';
import { addEvent, newTotals } from '/bench/totals.js';
import { END } from '/bench/workloads.js';

// Both fetchEventSource APIs share one driver: the promise resolves when the body ends
// (onclose does not throw, so neither reconnects) or when the end event aborts it.
function viaFetchEventSource(fetchEventSource) {
  return (input) => {
    const t = newTotals();
    const controller = new AbortController();
    return fetchEventSource(input.url, {
      fetch: input.fetch,
      signal: controller.signal,
      openWhenHidden: true,
      onmessage(message) {
        if (message.event === END) return controller.abort();
        addEvent(t, message.event || 'message', message.data, message.id);
      },
      onerror(error) {
        throw error; // no retries: a failure ends the run
      },
    }).then(() => t);
  };
}

// The EventSource classes: `onmessage` for unnamed events, a listener per other type.
// Closing on the end event keeps them from reconnecting when the body ends.
function viaEventSource(create) {
  return (input, types) =>
    new Promise((resolve, reject) => {
      const t = newTotals();
      const source = create(input);
      const count = (event) => addEvent(t, event.type, event.data, event.lastEventId);
      source.onmessage = count;
      for (const type of types) if (type !== 'message') source.addEventListener(type, count);
      source.addEventListener(END, () => {
        source.close();
        resolve(t);
      });
      source.onerror = (event) => {
        source.close();
        reject(new Error(`error event before the end: ${event.message ?? event.reason ?? 'no details'}`));
      };
    });
}

async function wasmIteration(input) {
  const t = newTotals();
  const source = new WasmEventSource(input.url, { fetch: input.fetch, retry: { maxAttempts: 0 } });
  for await (const event of source) {
    if (event.type === END) break; // leaving the loop closes the source
    addEvent(t, event.type, event.data, event.lastEventId);
  }
  return t;
}

async function bodyOf(input) {
  if (input.stream) return input.stream();
  const response = await fetch(input.url);
  return response.body;
}

// eventsource-parser as its users feed it: a streaming TextDecoder over the body.
async function parser(input) {
  const t = newTotals();
  let ended = false;
  const p = createParser({
    onEvent(event) {
      if (event.event === END) ended = true;
      else if (!ended) addEvent(t, event.event ?? 'message', event.data, event.id);
    },
  });
  const reader = (await bodyOf(input)).getReader();
  const decoder = new TextDecoder();
  while (!ended) {
    const { done, value } = await reader.read();
    if (done) break;
    p.feed(decoder.decode(value, { stream: true }));
  }
  if (ended) await reader.cancel();
  return t;
}

// The floors: what any consumer of the body pays at least.
async function readOnly(input) {
  const reader = (await bodyOf(input)).getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes };
    bytes += value.length;
  }
}

async function readAndDecode(input) {
  const reader = (await bodyOf(input)).getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let chars = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes, chars: chars + decoder.decode().length };
    bytes += value.length;
    chars += decoder.decode(value, { stream: true }).length;
  }
}

/**
 * The candidates in run order. `floor` ones report bytes (and chars) rather than events;
 * `httpOnly` ones run only on W4.
 */
export const CANDIDATES = [
  { id: 'eventsource-parser', label: 'eventsource-parser 4 (+ TextDecoder)', run: parser },
  { id: 'wasm-fetchEventSource', label: 'wasm-sse fetchEventSource', run: viaFetchEventSource(wasmFetchEventSource) },
  {
    id: 'wasm-EventSource',
    label: 'wasm-sse EventSource',
    run: viaEventSource((input) => new WasmEventSource(input.url, { fetch: input.fetch, retry: { maxAttempts: 0 } })),
  },
  { id: 'wasm-iterate', label: 'wasm-sse for await', run: wasmIteration },
  { id: 'ms-fetchEventSource', label: '@microsoft/fetch-event-source 2.0.1', run: viaFetchEventSource(msFetchEventSource) },
  {
    id: 'eventsource',
    label: 'eventsource 5 (fetch option)',
    run: viaEventSource((input) => new PolyfillEventSource(input.url, input.fetch ? { fetch: input.fetch } : undefined)),
  },
  { id: 'native-EventSource', label: 'browser EventSource', httpOnly: true, run: viaEventSource((input) => new EventSource(input.url)) },
  { id: 'floor-read', label: 'floor: read body', floor: true, run: readOnly },
  { id: 'floor-decode', label: 'floor: read + TextDecoder', floor: true, run: readAndDecode },
];

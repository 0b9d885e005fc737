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

// What remains for any client that hands each event's data to JavaScript as a string, if
// finding the events cost nothing: read, decode, and one slice per event at offsets known
// in advance (W1's spans: its data is one line per event), kept from one chunk to the next
// as a parser keeps its unfinished line. No byte is searched or parsed. `take(chunk)`, if
// given, is called with each chunk before it is decoded.
async function readDecodeSlice(input, take) {
  const t = newTotals();
  const { spans } = input;
  if (!spans) throw new Error('the W1 spans are missing: prepare W1a or W1b first');
  const reader = (await bodyOf(input)).getReader();
  const decoder = new TextDecoder();
  let text = ''; // the decoded text from offset `base` on
  let base = 0;
  let e = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return t;
    take?.(value);
    text += decoder.decode(value, { stream: true });
    const end = base + text.length;
    let used = 0;
    // An event is complete once its blank line (the two LFs after its data) has arrived.
    for (; e < spans.length && spans[e + 1] + 2 <= end; e += 2) {
      addEvent(t, 'message', text.slice(spans[e] - base, spans[e + 1] - base), undefined);
      used = spans[e + 1] + 2 - base;
    }
    if (used) {
      text = text.slice(used);
      base += used;
    }
  }
}

// The same for a client whose parser runs in wasm: a wasm module reads only its own
// memory, so each chunk is first copied there (as wasm-sse does), and what is left above
// this floor is the parse. The memory outlives the runs, as a loaded module's does.
const memory = new WebAssembly.Memory({ initial: 1 });
function readCopyDecodeSlice(input) {
  return readDecodeSlice(input, (chunk) => {
    const missing = chunk.length - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    new Uint8Array(memory.buffer, 0, chunk.length).set(chunk);
  });
}

/**
 * The candidates in run order. `floor` ones report bytes (and chars) rather than events;
 * `workloads` limits where one runs.
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
  { id: 'native-EventSource', label: 'browser EventSource', workloads: ['W4'], run: viaEventSource((input) => new EventSource(input.url)) },
  { id: 'floor-read', label: 'floor: read body', floor: true, run: readOnly },
  { id: 'floor-decode', label: 'floor: read + TextDecoder', floor: true, run: readAndDecode },
  { id: 'floor-slice', label: 'floor: read + TextDecoder + one slice per event, offsets known', workloads: ['W1a', 'W1b', 'W4'], run: (input) => readDecodeSlice(input) },
  {
    id: 'floor-wasm-slice',
    label: 'floor: read + copy into wasm memory + TextDecoder + one slice per event, offsets known',
    workloads: ['W1a', 'W1b', 'W4'],
    run: readCopyDecodeSlice,
  },
];

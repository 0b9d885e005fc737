// The bench page: generates the workloads in the page (64 MB would be slow to ship), and
// exposes `window.bench` for the runner, which drives every sample from Node.
import { init } from '/pkg/index.js';
import initGlue from '/pkg/wasm_sse.js';
import { CANDIDATES } from '/bench/consumers.js';
import { generate } from '/bench/workloads.js';

const workloads = {};
const byId = Object.fromEntries(CANDIDATES.map((c) => [c.id, c]));

// Chunks are enqueued one per pull, when the consumer asks for the next one (high water
// mark 0), so no candidate gets the whole body queued up front, and every candidate reads
// the same chunks the same way. `onPull` is where the memory run samples the heap.
function chunkStream(chunks, onPull) {
  let i = 0;
  return new ReadableStream(
    {
      pull(controller) {
        onPull?.();
        if (i < chunks.length) controller.enqueue(chunks[i++]);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

function inputFor(name, onPull) {
  // W4 streams W1's text: the same spans (for the floor that knows them).
  if (name === 'W4') return { url: `${location.origin}/w4`, spans: (workloads.W1a ?? workloads.W1b)?.spans };
  const { chunks, spans } = workloads[name];
  const stream = () => chunkStream(chunks, onPull);
  return {
    url: `${location.origin}/in-memory`,
    spans,
    fetch: async () => new Response(stream(), { headers: { 'content-type': 'text/event-stream' } }),
    stream,
  };
}

// A candidate that drops the end event would wait for ever: fail it instead.
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const heapUsed = () => performance.memory.usedJSHeapSize;
const wasmBytes = async () => (await initGlue()).memory.buffer.byteLength;

window.bench = {
  candidates: CANDIDATES.map(({ id, label, floor, workloads: only }) => ({ id, label, floor: !!floor, workloads: only ?? null })),

  /** Generates the named workloads; returns what the runner needs to know of each. */
  async prepare(names, scale) {
    await init(); // load the wasm now, not inside the first timed sample
    const meta = {};
    for (const name of names) {
      const w = (workloads[name] = generate(name, scale));
      meta[name] = { bytes: w.bytes, chars: w.chars, chunks: w.chunks.length, expected: w.expected, splits: w.splits };
    }
    return meta;
  },

  /** One timed sample: `{ ms, totals }`. */
  async run(name, id, types, timeoutMs) {
    globalThis.gc?.(); // start each sample from a collected heap, not the last one's garbage
    const input = inputFor(name);
    const start = performance.now();
    const totals = await withTimeout(byId[id].run(input, types), timeoutMs, `${id} on ${name}`);
    return { ms: performance.now() - start, totals };
  },

  /** Peak JS heap above the collected baseline while `id` consumes `name`, and wasm memory. */
  async memory(name, id, types, timeoutMs) {
    globalThis.gc?.();
    const wasmBefore = await wasmBytes();
    const base = heapUsed();
    let peak = base;
    const sample = () => {
      peak = Math.max(peak, heapUsed());
    };
    const totals = await withTimeout(byId[id].run(inputFor(name, sample), types), timeoutMs, `${id} on ${name}`);
    sample();
    return { heapPeak: peak - base, wasmBefore, wasmAfter: await wasmBytes(), totals };
  },
};
window.benchReady = true;

// Time to first event in a fresh page: from the start of navigation to the first event of
// a tiny stream, loading the library (and for wasm-sse fetching, compiling and
// instantiating the wasm) on the way. The runner opens this page (served by
// bench/server.mjs, with or without preload links) once per sample, in a new browser
// context. Each library is loaded as one minified bundle, as an app ships it (target/bench/).
// Times are performance.now(): milliseconds since the navigation started, so work that
// preload links move before this module runs is counted too.
const params = new URLSearchParams(location.search);
const candidate = params.get('c');
const TINY = new TextEncoder().encode('retry: 1000\n\nid: 1\ndata: {"hello":"world"}\n\ndata: second\n\n');
// `think=MS`: the server takes that long to answer, as an LLM endpoint takes to its first
// token (the pages without it answer at once, which measures the libraries alone).
const think = Number(params.get('think') ?? 0);
const tinyResponse = async () => {
  if (think > 0) await new Promise((resolve) => setTimeout(resolve, think));
  return new Response(TINY, { headers: { 'content-type': 'text/event-stream' } });
};
// Where the time goes on the way: when this module started, when the library was imported,
// for wasm-sse when it asked for the response (the first request goes out while the module
// loads), when its module was ready and when the connection opened, and for the floors when
// their wasm module was instantiated.
window.phases = { started: performance.now() };
const mark = (name) => {
  window.phases[name] ??= performance.now();
};
// How many times the page fetched the .wasm: 1 when a preload link's response was used.
const done = () => {
  window.wasmFetches ??= performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length;
  window.firstEvent ??= performance.now();
};

if (candidate === 'wasm-sse') {
  const { EventSource, init } = await import('/peers/wasm-sse.js');
  mark('imported');
  // When the module has loaded (fetched, compiled, instantiated): from here to the open is
  // wasm-sse's own first run. The source awaits the same promise, after this mark.
  init().then(() => mark('ready'));
  const fetch = () => {
    mark('request');
    return tinyResponse();
  };
  const source = new EventSource('/tiny', { fetch, retry: { maxAttempts: 0 } });
  source.onopen = () => mark('open');
  source.onmessage = () => {
    done();
    source.close();
  };
} else if (candidate === 'eventsource-parser' || candidate === 'wasm-floor' || candidate === 'empty-wasm-floor') {
  const { createParser } = await import('/peers/eventsource-parser.js');
  mark('imported');
  // Two floors for a wasm client: eventsource-parser after bringing a wasm module into
  // the page, compiled and instantiated as wasm-sse's glue does it, none of its code run.
  // wasm-sse's own .wasm (every import a no-op) shows what a module of this size costs
  // before it does anything; an empty module, what the first use of wasm costs at all.
  if (candidate === 'wasm-floor') {
    const noop = () => {};
    const imports = new Proxy({}, { get: () => new Proxy({}, { get: () => noop }) });
    await WebAssembly.instantiateStreaming(fetch('/peers/wasm_sse_bg.wasm'), imports);
    mark('instantiated');
  } else if (candidate === 'empty-wasm-floor') {
    await WebAssembly.instantiate(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    mark('instantiated');
  }
  const parser = createParser({ onEvent: done });
  const reader = (await tinyResponse()).body.getReader();
  const decoder = new TextDecoder();
  for (let r = await reader.read(); !r.done && window.firstEvent === undefined; r = await reader.read()) {
    parser.feed(decoder.decode(r.value, { stream: true }));
  }
} else {
  window.firstEvent = -1;
}

// The package's entry in Node (the `node` export condition): the same API, with the wasm
// read from disk, since Node's `fetch` cannot load `file:` URLs. Node 20+ has everything
// else the client uses as globals: fetch, ReadableStream, EventTarget, MessageEvent.
import { readFile } from 'node:fs/promises';
import { setDefaultSource } from './init.js';

setDefaultSource(() => readFile(new URL('./wasm_sse_bg.wasm', import.meta.url)));

export * from './index.js';

// Loads the wasm module once. Every API awaits this itself, so users only call `init`
// to choose where the .wasm comes from (a URL, a Response, bytes or a compiled module).
import initGlue from './wasm_sse.js';

let loading;
let ready = false;
let memory;
// Where the .wasm comes from when `init` is given nothing: the file next to this module,
// fetched. Node cannot fetch `file:` URLs, so its entry (node.js) reads the file instead.
let defaultSource = () => new URL('./wasm_sse_bg.wasm', import.meta.url);

/** Replaces the default source of the wasm (a function returning anything `init` takes). */
export function setDefaultSource(source) {
  defaultSource = source;
}

/** Whether the wasm module has finished loading. */
export const isReady = () => ready;

/** The module's memory, once loaded: batches are read from it (batch.js). */
export const wasmMemory = () => memory;

/**
 * @param {URL | string | Request | Response | BufferSource | WebAssembly.Module} [input]
 * @returns {Promise<void>}
 */
export function init(input) {
  if (!loading) {
    // The URL is written out here, rather than left to the glue, so bundlers see the asset.
    loading = Promise.resolve()
      .then(() => initGlue({ module_or_path: input ?? defaultSource() }))
      .then(
        (exports) => {
          memory = exports.memory;
          ready = true;
        },
        (error) => {
          loading = undefined; // let a later call try again
          throw error;
        },
      );
  }
  return loading;
}

// Loads the wasm module once. Every API awaits this itself, so users only call `init`
// to choose where the .wasm comes from (a URL, a Response, bytes or a compiled module).
import initGlue from './wasm_sse.js';

let loading;
let ready = false;

/** Whether the wasm module has finished loading. */
export const isReady = () => ready;

/**
 * @param {URL | string | Request | Response | BufferSource | WebAssembly.Module} [input]
 * @returns {Promise<void>}
 */
export function init(input) {
  if (!loading) {
    // Written out here, rather than left to the glue, so bundlers see the .wasm asset.
    const module_or_path = input ?? new URL('./wasm_sse_bg.wasm', import.meta.url);
    loading = initGlue({ module_or_path }).then(
      () => {
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

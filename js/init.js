// Loads the wasm module once. Every API awaits this itself, so users only call `init`
// to choose where the .wasm comes from (a URL, a Response, bytes or a compiled module).
import initGlue, { onEngineFailure, wasmMemory as currentMemory } from './wasm_sse.js';

let loading;
let ready = false;
let memory;
// Bumped when the engine fails: objects of the failed instance must not be used again.
let generation = 0;
let failure = null;
const failureWatchers = new Set();
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
export const wasmMemory = () => (memory ??= currentMemory());

/** How many times the engine has failed; an object made before a failure is dead. */
export const engineGeneration = () => generation;

/** The last failure, as `{ reason: 'engine_failed', message, retryable }`. */
export const engineFailure = () => failure;

/**
 * Calls `watcher(failure)` if the engine fails (a panic in wasm, see
 * src/bindings/failure.rs); returns a function that stops watching.
 */
export function watchEngine(watcher) {
  failureWatchers.add(watcher);
  return () => failureWatchers.delete(watcher);
}

// Called from inside the dying instance, before it traps: only record here.
function engineFailed(panic) {
  generation += 1;
  memory = undefined;
  const detail = String(panic).replace(/\s+/g, ' ').trim();
  const info = {
    reason: 'engine_failed',
    message: `wasm-sse: the engine failed (${detail}); its sources are closed, and new ones start on a fresh instance`,
    retryable: false,
  };
  failure = info;
  const watchers = [...failureWatchers];
  failureWatchers.clear();
  queueMicrotask(() => {
    // The trap has unwound. The first call into the module creates the fresh instance,
    // so make it now, before anything can reach the failed one, and arm its panic hook.
    onEngineFailure(engineFailed);
    for (const watcher of watchers) watcher(info);
  });
}

/**
 * @param {URL | string | Request | Response | BufferSource | WebAssembly.Module} [input]
 * @returns {Promise<void>}
 */
export function init(input) {
  if (!loading) {
    // The URL is written out here, rather than left to the glue, so bundlers see the asset.
    // Awaited first: the glue decides whether to fetch its input before awaiting it, so
    // a promise of a URL would reach WebAssembly.instantiate unfetched.
    loading = Promise.resolve(input ?? defaultSource())
      .then((source) => initGlue({ module_or_path: source }))
      .then(
        (exports) => {
          memory = exports.memory;
          onEngineFailure(engineFailed);
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

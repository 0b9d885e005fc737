// Starts the Rust connection engine once the wasm is loaded. Both event-source APIs
// are handlers over this one engine.
import { connect } from './wasm_sse.js';
import { engineGeneration, init, watchEngine } from './init.js';

/**
 * Connects with normalised `options` (see src/bindings/connection.rs) once the wasm is
 * ready, unless `options.signal` aborts first. Resolves when the engine has started;
 * rejects if the wasm cannot load.
 */
export async function startEngine(options, handlers) {
  await init();
  if (options.signal?.aborted) {
    handlers.closed({ reason: 'aborted', message: 'aborted', retryable: false });
    return;
  }
  // If the engine fails, its connections end without a word from it: report the failure.
  const unwatch = watchEngine((failure) => handlers.closed(failure));
  const closed = (error) => {
    unwatch();
    handlers.closed(error);
  };
  const generation = engineGeneration();
  try {
    connect(options, { ...handlers, closed });
  } catch (error) {
    // A failure inside `connect` has already been handed to the watcher, which reports it.
    if (engineGeneration() !== generation) return;
    unwatch();
    throw error;
  }
}

/** The retry option as the engine reads it: a number is the reconnection time. */
export function retryOptions(retry) {
  if (retry === undefined || retry === null) return undefined;
  if (typeof retry === 'number') return { reconnectionTime: retry };
  const { backoff, ...rest } = retry;
  return { ...rest, backoff: backoff === true ? {} : backoff || undefined };
}

/** The body and headers options: `json` becomes a JSON body with its content type. */
export function bodyOptions({ body, json }) {
  if (json === undefined) return { body };
  const encode = typeof json === 'function' ? async () => JSON.stringify(await json()) : JSON.stringify(json);
  return { body: encode, contentType: 'application/json' };
}

// Starts the Rust connection engine once the wasm is loaded. Both event-source APIs
// are handlers over this one engine.
import { connect } from './wasm_sse.js';
import { engineGeneration, init, isReady, watchEngine } from './init.js';
import { requester } from './request.js';

/**
 * Connects with normalised `options` (see src/bindings/connection.rs and request.js)
 * once the wasm is ready, unless `options.signal` aborts first. Resolves when the engine
 * has started; rejects if the wasm cannot load.
 */
export async function startEngine(options, handlers) {
  const request = requester(options);
  // While the wasm loads, the first request is already on its way: the engine takes its
  // response when it starts. On a real network the .wasm's download and compilation then
  // overlap the server's time to answer, instead of coming before it.
  const early = !isReady() && !options.signal?.aborted ? sendEarly(request, options, handlers) : undefined;
  try {
    await init();
  } catch (error) {
    early?.[0].abort();
    throw error;
  }
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
    connect({ ...options, request, early }, { ...handlers, closed });
  } catch (error) {
    early?.[0].abort();
    // A failure inside `connect` has already been handed to the watcher, which reports it.
    if (engineGeneration() !== generation) return;
    unwatch();
    throw error;
  }
}

// Sends the first request now: `[controller, response]`, which the engine adopts. The
// controller aborts with the source's signal, and the engine aborts it as its own.
function sendEarly(request, { signal, lastEventId }, handlers) {
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort(), { once: true, signal: controller.signal });
  handlers.connecting();
  // The engine's initial last event ID: the option when it is a string (connection.rs).
  const id = typeof lastEventId === 'string' ? lastEventId : '';
  // Sent once the constructor has returned, as the engine would: a headers function may
  // read the source (`source.token`), which its caller has not yet been given. A source
  // closed before then sends nothing.
  const response = Promise.resolve().then(() => {
    controller.signal.throwIfAborted();
    return request(id, controller.signal);
  });
  // Settled by the engine; until then a rejection must not count as unhandled.
  response.catch(() => {});
  return [controller, response];
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

//! Raw bindings to globals that exist in a Window and in a Worker alike.
//!
//! They are bound as free functions of the global scope (not through `window()`), so the
//! client also runs in Web Workers and Service Workers.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader, RequestInit};

#[wasm_bindgen]
extern "C" {
    /// `fetch(input, init)`: <https://developer.mozilla.org/docs/Web/API/Window/fetch>
    #[wasm_bindgen(js_name = fetch)]
    pub(crate) fn global_fetch(input: &str, init: &RequestInit) -> Promise;
}

// JavaScript the engine needs beside the globals, in one module so that it shares one
// notion of the engine's life:
//
// - The body is read in JavaScript: an `await` there costs far less per chunk than a Rust
//   future woken through a promise (two closures and a microtask per chunk), and each
//   chunk still reaches Rust in one call.
// - After a panic the wasm instance is dead and is replaced by a fresh one (see
//   bindings/failure.rs). Closures of the dead instance must then never run: so every
//   promise the engine awaits goes through `settle`, which never settles once the engine
//   has failed, and `engineFailed` aborts every request and clears every timer the dead
//   instance had, so that its connections close at once.
#[wasm_bindgen(inline_js = "let generation = 0;
let onFailure = () => {};
const controllers = new Set();
const timers = new Map(); // id → handler
const networkWaits = new Set();
const never = () => new Promise(() => {});

export function setFailureListener(listener) { onFailure = listener; }

export function engineFailed(message) {
  generation++;
  for (const controller of controllers) controller.abort();
  controllers.clear();
  for (const id of timers.keys()) clearTimeout(id);
  timers.clear();
  for (const wait of networkWaits) stopNetworkWait(wait);
  onFailure(message);
}

export function settle(promise) {
  const born = generation;
  return promise.then(
    (value) => (born === generation ? value : never()),
    (error) => { if (born === generation) throw error; return never(); },
  );
}

export function newController() {
  const controller = new AbortController();
  controllers.add(controller);
  return controller;
}

export function adoptController(controller) {
  controllers.add(controller);
}

export function dropController(controller) {
  controllers.delete(controller);
  controller.abort();
}

export function startTimer(handler, ms) {
  const id = setTimeout(() => { timers.delete(id); handler(); }, ms);
  timers.set(id, handler);
  return id;
}

// Clears a timer and calls its handler at once: the promise a Rust future awaits then
// settles, and the future's callbacks run and are freed. A promise that never settled
// would keep them, and what they hold, for good.
export function stopTimer(id) {
  const handler = timers.get(id);
  if (!timers.delete(id)) return;
  clearTimeout(id);
  handler();
}

// `navigator.onLine` and the `online` event exist in a Window and in a Worker; elsewhere
// (Node) the network counts as present and no event ever comes.
export function isOffline() {
  return globalThis.navigator?.onLine === false;
}

export function startNetworkWait(handler, ms) {
  const wait = { id: undefined, done: undefined, handler };
  wait.done = () => stopNetworkWait(wait);
  wait.id = setTimeout(wait.done, ms);
  globalThis.addEventListener?.('online', wait.done);
  networkWaits.add(wait);
  return wait;
}

// Ends a wait, at its end or when it is cancelled, and calls its handler (see stopTimer).
export function stopNetworkWait(wait) {
  if (!networkWaits.delete(wait)) return;
  clearTimeout(wait.id);
  globalThis.removeEventListener?.('online', wait.done);
  wait.handler();
}

// The text of a thrown value, for error messages: an Error's message, a string as it is,
// an object as JSON (where it has one), anything else as String() gives it.
export function describe(value) {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    if (typeof value === 'function') return `function ${value.name}`.trim();
    return (typeof value === 'object' && value !== null && JSON.stringify(value)) || String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

// A network chunk can be 2 MiB. Handed to the engine in pieces, its copy and its parse stay
// within the CPU's cache, and each piece's batch of text stays out of V8's large-object space.
const PIECE = 64 * 1024;

// The chunk that tells the engine the reading resumed after a pause.
const RESUMED = new Uint8Array(0);

// `sink` answers each piece with true (go on), false (stop) or a promise: the consumer is
// behind, so nothing more is read until it settles. Not reading is the backpressure: the
// body's stream, then the network, hold the rest, and the server is slowed down.

export async function pump(reader, sink) {
  const born = generation;
  for (;;) {
    const { done, value } = await reader.read();
    if (born !== generation) return never();
    if (done) return true;
    for (let at = 0; at < value.length; at += PIECE) {
      let piece = value.length <= PIECE ? value : value.subarray(at, at + PIECE);
      for (;;) {
        let more;
        try {
          more = sink(piece);
        } catch (error) { if (born !== generation) return never(); throw error; }
        if (more === true) break;
        if (more === false) return false;
        await more;
        if (born !== generation) return never();
        // The reading resumes after a pause: an empty chunk tells the engine so now, and
        // its idle timeout counts from here even if nothing more comes.
        piece = RESUMED;
      }
    }
  }
}

export async function readStart(reader, limit, ms) {
  const parts = [];
  let length = 0;
  let timer;
  const deadline = new Promise((resolve) => { timer = setTimeout(resolve, ms, { done: true }); });
  try {
    while (length < limit) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      parts.push(value);
      length += value.length;
    }
  } catch {} finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  const start = new Uint8Array(Math.min(length, limit));
  let at = 0;
  for (const part of parts) {
    start.set(part.subarray(0, start.length - at), at);
    at += Math.min(part.length, start.length - at);
  }
  return start;
}")]
extern "C" {
    /// Reads `reader` to its end, calling `sink(chunk)` for each chunk (for a chunk over
    /// 64 KiB, for each 64 KiB piece of it) until it returns `false`; when it returns a
    /// promise, reads on once that settles, first calling `sink` with an empty chunk to
    /// say the reading resumed. Resolves with `true` at the end of the body,
    /// `false` when `sink` stopped; rejects with the reader's error.
    pub(crate) fn pump(reader: &ReadableStreamDefaultReader, sink: &Function) -> Promise;

    /// Reads at most `limit` bytes of `reader`'s body, for at most `ms` milliseconds (what
    /// has come by then), then cancels it; resolves with those bytes.
    #[wasm_bindgen(js_name = readStart)]
    pub(crate) fn read_start(reader: &ReadableStreamDefaultReader, limit: u32, ms: f64) -> Promise;

    /// The text of a thrown JavaScript value, for error messages.
    pub(crate) fn describe(value: &JsValue) -> String;

    /// `promise`, unless the engine fails before it settles: then a promise that never
    /// settles, so no closure of the failed instance is called.
    fn settle(promise: &Promise) -> Promise;

    /// Marks the engine failed (a panic): aborts its requests, clears its timers and
    /// calls the failure listener with `message`.
    #[wasm_bindgen(js_name = engineFailed)]
    pub(crate) fn engine_failed(message: &str);

    /// The JavaScript function told of a failure, with its message.
    #[wasm_bindgen(js_name = setFailureListener)]
    pub(crate) fn set_failure_listener(listener: &Function);

    /// A new `AbortController`, aborted if the engine fails.
    #[wasm_bindgen(js_name = newController)]
    pub(crate) fn new_controller() -> AbortController;

    /// Counts a controller made elsewhere among the engine's (aborted if it fails).
    #[wasm_bindgen(js_name = adoptController)]
    pub(crate) fn adopt_controller(controller: &AbortController);

    /// Aborts `controller` and forgets it.
    #[wasm_bindgen(js_name = dropController)]
    pub(crate) fn drop_controller(controller: &AbortController);

    /// `setTimeout(handler, ms)`, cleared if the engine fails; returns the timer's id.
    #[wasm_bindgen(js_name = startTimer)]
    pub(crate) fn start_timer(handler: &Function, ms: f64) -> JsValue;

    /// `clearTimeout(id)` for a timer of `start_timer` that has not fired, then its
    /// handler, so that the promise it resolves does not stay pending for ever.
    #[wasm_bindgen(js_name = stopTimer)]
    pub(crate) fn stop_timer(id: &JsValue);

    /// Whether the browser reports no network: `navigator.onLine === false`.
    #[wasm_bindgen(js_name = isOffline)]
    pub(crate) fn is_offline() -> bool;

    /// Calls `handler` once, at the next `online` event of the global scope or after `ms`,
    /// whichever comes first; cancelled if the engine fails. Returns the wait.
    #[wasm_bindgen(js_name = startNetworkWait)]
    pub(crate) fn start_network_wait(handler: &Function, ms: f64) -> JsValue;

    /// Cancels a wait of `start_network_wait` and calls its handler (nothing if it is over).
    #[wasm_bindgen(js_name = stopNetworkWait)]
    pub(crate) fn stop_network_wait(wait: &JsValue);
}

/// Awaits `promise` as a Rust future, through `settle`.
pub(crate) fn future(promise: &Promise) -> JsFuture {
    JsFuture::from(settle(promise))
}

/// Milliseconds since the Unix epoch (`Date.now()`): `std::time` panics on wasm32.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A uniform sample in `[0, 1)` for the retry jitter.
pub(crate) fn random() -> f64 {
    js_sys::Math::random()
}

//! Raw bindings to globals that exist in a Window and in a Worker alike.
//!
//! They are bound as free functions of the global scope (not through `window()`), so the
//! client also runs in Web Workers and Service Workers.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::{ReadableStreamDefaultReader, RequestInit};

#[wasm_bindgen]
extern "C" {
    /// `fetch(input, init)`: <https://developer.mozilla.org/docs/Web/API/Window/fetch>
    #[wasm_bindgen(js_name = fetch)]
    pub(crate) fn global_fetch(input: &str, init: &RequestInit) -> Promise;

    /// `setTimeout(handler, ms)`, returning the timer's id.
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(handler: &Function, ms: f64) -> JsValue;

    /// `clearTimeout(id)`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(id: &JsValue);
}

// The body is read in JavaScript: an `await` there costs far less per chunk than a Rust
// future woken through a promise (two closures and a microtask per chunk), and each chunk
// still reaches Rust in one call.
#[wasm_bindgen(inline_js = "export async function pump(reader, sink) {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return true;
    if (!sink(value)) return false;
  }
}")]
extern "C" {
    /// Reads `reader` to its end, calling `sink(chunk)` for each chunk until it returns
    /// `false`. Resolves with `true` at the end of the body, `false` when `sink` stopped;
    /// rejects with the reader's error.
    pub(crate) fn pump(reader: &ReadableStreamDefaultReader, sink: &Function) -> Promise;
}

/// Milliseconds since the Unix epoch (`Date.now()`): `std::time` panics on wasm32.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A uniform sample in `[0, 1)` for the retry jitter.
pub(crate) fn random() -> f64 {
    js_sys::Math::random()
}

/// The text of a thrown JavaScript value, for error messages.
pub(crate) fn describe(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

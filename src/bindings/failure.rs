//! When the engine panics anyway.
//!
//! A panic in wasm aborts: the instance traps and its state (the stack pointer, borrowed
//! `RefCell`s, the future executor) is left half-way, so nothing in it can run again.
//! Rather than let every stream of the page go silently dead, the panic hook
//!
//! 1. schedules a fresh instance of the same module, which wasm-bindgen's glue creates
//!    before the next call into wasm (`schedule_reinit`, experimental in wasm-bindgen, which
//!    is why the crate pins its exact version), and makes the glue refuse calls to closures
//!    and objects of the dead instance;
//! 2. tells JavaScript (`engineFailed` in transport/sys.rs): the dead instance's requests are
//!    aborted and its timers cleared, and the wrapper (js/init.js) gives every live source an
//!    `error` saying the engine failed. Sources created afterwards run on the new instance.

use crate::transport::{engine_failed, set_failure_listener};
use js_sys::Function;
use std::sync::Once;
use wasm_bindgen::prelude::*;

static HOOK: Once = Once::new();

/// Installs the panic hook in this instance (once; a fresh instance installs its own).
pub(crate) fn install_panic_hook() {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            wasm_bindgen::handler::schedule_reinit();
            engine_failed(&info.to_string());
        }));
    });
}

/// Registers `listener(message)`, called when the engine fails, and arms the panic hook.
/// The listener outlives the instance; the hook is armed again by every new instance.
#[wasm_bindgen(js_name = onEngineFailure)]
pub fn on_engine_failure(listener: &Function) {
    install_panic_hook();
    set_failure_listener(listener);
}

/// The current instance's memory, which batches are read from: a new instance has a new one.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// A deliberate panic, for the tests of the above: only in builds with the `test-hooks`
/// feature, when a stream holds the comment `: wasm-sse test panic`.
#[cfg(feature = "test-hooks")]
pub(crate) fn test_trigger(item: &crate::parser::ItemRef<'_>) {
    if let crate::parser::ItemRef::Comment("wasm-sse test panic") = item {
        panic!("a deliberate panic (test-hooks build)");
    }
}

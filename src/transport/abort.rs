//! Aborting: one `AbortController` per request, aborted when its guard drops, and a
//! future that resolves when the caller's `AbortSignal` fires.

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

/// Owns the request's `AbortController`. Dropping it aborts the fetch and its body, so
/// every way out of a connection (close, abort, dropping the Rust stream) stops the
/// request at once.
pub(crate) struct AbortGuard {
    controller: Option<AbortController>,
}

impl AbortGuard {
    /// A new controller; `None` only where `AbortController` does not exist.
    pub(crate) fn new() -> AbortGuard {
        AbortGuard {
            controller: AbortController::new().ok(),
        }
    }

    pub(crate) fn signal(&self) -> Option<AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        // Aborting a finished request is a no-op, so this needs no bookkeeping.
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }
}

/// Resolves when `signal` aborts (at once if it already has).
pub(crate) async fn aborted(signal: AbortSignal) {
    if signal.aborted() {
        return;
    }
    let promise = Promise::new(&mut |resolve, _reject| {
        let options = web_sys::AddEventListenerOptions::new();
        options.set_once(true);
        let _ = signal.add_event_listener_with_callback_and_add_event_listener_options(
            "abort",
            resolve.unchecked_ref(),
            &options,
        );
    });
    let _ = JsFuture::from(promise).await;
}

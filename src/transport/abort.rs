//! Aborting: one `AbortController` per request, aborted when its guard drops, and a
//! future that resolves when the caller's `AbortSignal` fires.

use super::sys::{adopt_controller, drop_controller, future, new_controller};
use js_sys::Promise;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal};

/// Owns the request's `AbortController`. Dropping it aborts the fetch and its body, so
/// every way out of a connection (close, abort, dropping the Rust stream) stops the
/// request at once. The engine's failure (a panic) aborts it too, from JavaScript.
pub(crate) struct AbortGuard {
    controller: AbortController,
}

impl AbortGuard {
    pub(crate) fn new() -> AbortGuard {
        AbortGuard {
            controller: new_controller(),
        }
    }

    /// Takes charge of a controller made in JavaScript, as if it were made here.
    pub(crate) fn adopt(controller: AbortController) -> AbortGuard {
        adopt_controller(&controller);
        AbortGuard { controller }
    }

    pub(crate) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        // Aborting a finished request is a no-op, so this needs no bookkeeping.
        drop_controller(&self.controller);
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
    let _ = future(&promise).await;
}

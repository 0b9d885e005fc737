//! A `setTimeout` delay as a future, cleared when dropped.

use super::sys::{future, start_timer, stop_timer};
use js_sys::Promise;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Resolves after `ms` milliseconds. Dropping it clears the timer, so a closed event
/// source leaves no pending reconnect behind.
#[must_use = "a Delay does nothing unless awaited"]
pub(crate) struct Delay {
    id: JsValue,
    done: JsFuture,
}

impl Delay {
    pub(crate) fn new(ms: u64) -> Delay {
        let mut id = JsValue::UNDEFINED;
        // Browsers clamp delays above 2^31-1 ms to 1 ms, so cap them (about 24.8 days).
        let ms = ms.min(i32::MAX as u64) as f64;
        let promise = Promise::new(&mut |resolve, _reject| id = start_timer(&resolve, ms));
        Delay {
            id,
            done: future(&promise),
        }
    }
}

impl Future for Delay {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.done).poll(cx).map(|_| ())
    }
}

impl Drop for Delay {
    fn drop(&mut self) {
        stop_timer(&self.id);
    }
}

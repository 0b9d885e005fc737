//! A `setTimeout` delay as a future, cleared when dropped; optionally cut short by the
//! browser's `online` event.

use super::sys::{future, start_network_wait, start_timer, stop_network_wait, stop_timer};
use js_sys::{Function, Promise};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// The longest wait a timer can make: browsers take a delay above 2^31-1 ms (about 24.8
/// days) as 1 ms.
pub(crate) const LONGEST_WAIT: u64 = i32::MAX as u64;

/// Resolves after `ms` milliseconds (at most [`LONGEST_WAIT`]). Dropping it clears the
/// timer, so a closed event source leaves no pending reconnect behind, and settles the
/// promise at once: the `JsFuture`'s callbacks and the promise hold each other until it
/// settles, so a cleared timer whose promise stayed pending would keep both for good.
#[must_use = "a Delay does nothing unless awaited"]
pub(crate) struct Delay {
    id: JsValue,
    done: JsFuture,
    stop: fn(&JsValue),
}

impl Delay {
    pub(crate) fn new(ms: u64) -> Delay {
        Delay::start(ms, start_timer, stop_timer)
    }

    /// Resolves after `ms` milliseconds, or sooner at the next `online` event (where
    /// there is no such event, as in Node, after `ms`). Dropping it also removes the
    /// event listener.
    pub(crate) fn until_online(ms: u64) -> Delay {
        Delay::start(ms, start_network_wait, stop_network_wait)
    }

    fn start(ms: u64, start: fn(&Function, f64) -> JsValue, stop: fn(&JsValue)) -> Delay {
        let mut id = JsValue::UNDEFINED;
        let ms = ms.min(LONGEST_WAIT) as f64;
        let promise = Promise::new(&mut |resolve, _reject| id = start(&resolve, ms));
        Delay {
            id,
            done: future(&promise),
            stop,
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
        (self.stop)(&self.id);
    }
}

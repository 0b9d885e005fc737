//! Waiting for the network: the browser's `online` event, as a future.

use super::sys::{future, start_network_wait, stop_network_wait};
use js_sys::Promise;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

pub(crate) use super::sys::is_offline;

/// Resolves at the next `online` event, or after `ms` milliseconds, whichever comes first
/// (where there is no such event, as in Node, after `ms`). Dropping it removes the listener
/// and the timer, so a closed event source leaves nothing behind.
#[must_use = "an Online does nothing unless awaited"]
pub(crate) struct Online {
    wait: JsValue,
    done: JsFuture,
}

impl Online {
    pub(crate) fn or_after(ms: u64) -> Online {
        let mut wait = JsValue::UNDEFINED;
        let ms = ms.min(i32::MAX as u64) as f64;
        let promise = Promise::new(&mut |resolve, _reject| wait = start_network_wait(&resolve, ms));
        Online {
            wait,
            done: future(&promise),
        }
    }
}

impl Future for Online {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.done).poll(cx).map(|_| ())
    }
}

impl Drop for Online {
    fn drop(&mut self) {
        stop_network_wait(&self.wait);
    }
}

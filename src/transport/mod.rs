//! The Rust code that touches the network: `fetch`, the body's `ReadableStream`,
//! `AbortController`, timers and `navigator.onLine`, all through globals that Windows and
//! Workers share. (The JavaScript API's requests are built in `js/request.js`, and reach
//! the engine through [`JsRequester`].)

mod abort;
mod body;
mod engine;
mod request;
mod sys;
mod timer;

pub(crate) use engine::{callback_error, run, Config, Observer};
pub(crate) use request::{JsRequester, RequestSpec, Source};
pub(crate) use sys::{engine_failed, set_failure_listener};

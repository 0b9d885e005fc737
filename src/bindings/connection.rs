//! `connect(options, handlers)`: an event source driven by the Rust engine, reporting to
//! the JS wrapper's handlers. The wrapper normalises the options and stops the
//! connection through `options.signal`.

use super::batch::Batch;
use super::errors::client_error;
use super::failure::install_panic_hook;
use crate::error::Error;
use crate::parser::{ItemRef, ParserOptions};
use crate::retry::{Backoff, Decision, RetryPolicy};
use crate::transport::{callback_error, run, Config, JsRequester, Observer};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Response};

fn get(object: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(object, &key.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn number(object: &JsValue, key: &str) -> Option<f64> {
    get(object, key)
        .and_then(|v| v.as_f64())
        .filter(|n| n.is_finite() && *n >= 0.0)
}

/// `as` saturates: a huge or fractional number of milliseconds becomes a valid `u64`.
fn millis(object: &JsValue, key: &str) -> Option<u64> {
    number(object, key).map(|n| n as u64)
}

fn function(object: &JsValue, key: &str) -> Option<Function> {
    get(object, key).and_then(|v| v.dyn_into().ok())
}

fn retry_policy(retry: Option<JsValue>) -> RetryPolicy {
    let mut policy = RetryPolicy::default();
    let Some(retry) = retry else {
        return policy;
    };
    if let Some(ms) = millis(&retry, "reconnectionTime") {
        policy = policy.reconnection_time(ms);
    }
    if let Some(backoff) = get(&retry, "backoff") {
        let mut b = Backoff::default();
        if let Some(factor) = number(&backoff, "factor") {
            b.factor = factor;
        }
        if let Some(max) = millis(&backoff, "maxDelay") {
            b.max_delay = max;
        }
        if let Some(jitter) = number(&backoff, "jitter") {
            b.jitter = jitter;
        }
        policy = policy.backoff(b);
    }
    if let Some(max) = number(&retry, "maxAttempts") {
        policy = policy.max_attempts(max.min(f64::from(u32::MAX)) as u32);
    }
    if let Some(statuses) = get(&retry, "retryStatuses") {
        let statuses: Vec<u16> = js_sys::Array::from(&statuses)
            .iter()
            .filter_map(|s| s.as_f64())
            .filter(|s| (100.0..600.0).contains(s))
            .map(|s| s as u16)
            .collect();
        policy = policy.retry_statuses(statuses);
    }
    if let Some(ms) = millis(&retry, "resetAfter") {
        policy = policy.reset_after(ms);
    }
    if let Some(on) = get(&retry, "waitForOnline").and_then(|v| v.as_bool()) {
        policy = policy.wait_for_online(on);
    }
    policy
}

fn config(options: &JsValue) -> Result<Config<JsRequester>, JsValue> {
    let request = function(options, "request")
        .ok_or_else(|| js_sys::TypeError::new("wasm-sse: options.request must be a function"))?;
    // `[controller, response]`: the first request, sent before the wasm was ready.
    let early = get(options, "early").map(|early| {
        let early = js_sys::Array::from(&early);
        (early.get(0).unchecked_into(), early.get(1).unchecked_into())
    });
    let mut parser = ParserOptions::default();
    if let Some(max) = number(options, "maxEventSize") {
        parser = parser.max_event_size(max as usize);
    }
    if let Some(on) = get(options, "dispatchIncompleteEvent").and_then(|v| v.as_bool()) {
        parser = parser.dispatch_incomplete_event(on);
    }
    Ok(Config {
        request: JsRequester(request),
        early,
        retry: retry_policy(get(options, "retry")),
        parser,
        last_event_id: get(options, "lastEventId")
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        signal: get(options, "signal").and_then(|s| s.dyn_into::<AbortSignal>().ok()),
        idle_timeout: millis(options, "idleTimeout").filter(|ms| *ms > 0),
        reconnect_at_end: get(options, "reconnectAtEnd")
            .and_then(|v| v.as_bool())
            .unwrap_or(true),
    })
}

/// Starts an event source. `handlers` has `connecting()`, `open(response)`,
/// `batch(text, layout)` (returns `true` when the consumer has fallen behind),
/// `failed(error, delay, attempt)` (returns a delay to use, or throws to stop),
/// `closed(error?)`, and optionally `check(response)` (a promise that replaces the spec's
/// response check) and `drained()` (a promise that settles once a consumer that fell
/// behind has caught up: no more of the body is read until then).
#[wasm_bindgen]
pub fn connect(options: JsValue, handlers: JsValue) -> Result<(), JsValue> {
    install_panic_hook();
    let config = config(&options)?;
    let last_event_id = config.last_event_id.clone();
    let required = |key| {
        function(&handlers, key)
            .ok_or_else(|| js_sys::TypeError::new(&format!("wasm-sse: handlers.{key} is missing")))
    };
    let observer = JsObserver {
        connecting: required("connecting")?,
        open: required("open")?,
        batch_handler: required("batch")?.unchecked_into(),
        failed: required("failed")?,
        check: function(&handlers, "check"),
        drained: function(&handlers, "drained"),
        behind: false,
        batch: Batch::default(),
        last_event_id,
        thrown: None,
    };
    let closed = required("closed")?;
    wasm_bindgen_futures::spawn_local(async move {
        let error = match run(config, observer).await {
            Ok(()) => JsValue::UNDEFINED,
            Err(error) => client_error(&error),
        };
        // Nothing is left to report a throw to.
        let _ = closed.call1(&JsValue::UNDEFINED, &error);
    });
    Ok(())
}

#[wasm_bindgen]
extern "C" {
    /// The wrapper's `batch(textPtr, textLength, ascii, layoutPtr, layoutLength, dataPtr,
    /// dataLength)`: numbers only, so calling it allocates nothing. `data` is the bytes of
    /// the batch's last event when it holds its own data (see `batch.rs`). It returns
    /// whether the consumer has fallen behind.
    #[wasm_bindgen(extends = Function)]
    type BatchHandler;

    #[wasm_bindgen(method, catch, js_name = call)]
    fn call_batch(
        this: &BatchHandler,
        this_arg: &JsValue,
        text: u32,
        text_length: u32,
        ascii: bool,
        layout: u32,
        layout_length: u32,
        data: u32,
        data_length: u32,
    ) -> Result<bool, JsValue>;
}

struct JsObserver {
    connecting: Function,
    open: Function,
    batch_handler: BatchHandler,
    failed: Function,
    check: Option<Function>,
    drained: Option<Function>,
    /// Whether the latest batch left the consumer behind (see [`Observer::backlog`]).
    behind: bool,
    batch: Batch,
    last_event_id: String,
    /// A handler's throw during this chunk: the chunk's later items are dropped, and
    /// `chunk_done` reports it.
    thrown: Option<Error>,
}

/// The smallest event data handed to JavaScript on its own rather than copied into the
/// batch's text. Handing it over costs a call into JavaScript and a decode of its own
/// (about a microsecond); copying and scanning 16 KiB costs more.
const OWN_DATA_MIN: usize = 16 * 1024;

impl JsObserver {
    /// Hands the batch to JavaScript, with `data` as its last event's own data (empty if
    /// it has none), and empties it.
    fn hand_over(&mut self, data: &[u8]) -> Result<(), Error> {
        // The handler reads the batch straight from wasm memory (js/batch.js), before
        // anything else can run in this module.
        let (text, ascii, layout) = self.batch.raw_parts();
        let called = self
            .batch_handler
            .call_batch(
                &JsValue::UNDEFINED,
                text.as_ptr() as u32,
                text.len() as u32,
                ascii,
                layout.as_ptr() as u32,
                layout.len() as u32,
                data.as_ptr() as u32,
                data.len() as u32,
            )
            .map(|behind| self.behind = behind)
            .map_err(|thrown| callback_error(&thrown));
        self.batch.clear();
        called
    }
}

impl Observer for JsObserver {
    fn connecting(&mut self) {
        let _ = self.connecting.call0(&JsValue::UNDEFINED);
    }

    fn check_response(&mut self, response: &Response) -> Option<Promise> {
        let check = self.check.as_ref()?;
        Some(match check.call1(&JsValue::UNDEFINED, response) {
            Ok(value) => Promise::resolve(&value),
            Err(thrown) => Promise::reject(&thrown),
        })
    }

    fn open(&mut self, response: &Response) {
        let _ = self.open.call1(&JsValue::UNDEFINED, response);
    }

    fn item(&mut self, item: ItemRef<'_>, same_id: bool) {
        if self.thrown.is_some() {
            return;
        }
        match item {
            ItemRef::Event {
                event_type,
                data,
                last_event_id,
            } if data.len() >= OWN_DATA_MIN => {
                self.batch
                    .push_event_with_own_data(event_type, last_event_id, same_id);
                self.thrown = self.hand_over(data.as_bytes()).err();
            }
            item => self.batch.push(item, same_id),
        }
    }

    fn chunk_done(&mut self, last_event_id: &str) -> Result<(), Error> {
        // Reported when it changes, so the JS side can reconnect on its own (as
        // `fetchEventSource` does after `onclose` throws) with the right ID.
        if last_event_id != self.last_event_id {
            last_event_id.clone_into(&mut self.last_event_id);
            self.batch.push_last_event_id(last_event_id);
        }
        if let Some(thrown) = self.thrown.take() {
            self.batch.clear();
            return Err(thrown);
        }
        if self.batch.is_empty() {
            return Ok(());
        }
        self.hand_over(&[])
    }

    fn failed(&mut self, error: &Error, decision: Decision) -> Decision {
        let (delay, attempt) = match decision {
            Decision::Reconnect { delay, attempt } => (JsValue::from(delay as f64), attempt.into()),
            _ => (JsValue::UNDEFINED, JsValue::UNDEFINED),
        };
        let returned =
            self.failed
                .call3(&JsValue::UNDEFINED, &client_error(error), &delay, &attempt);
        match (returned, decision) {
            (Err(_), _) => Decision::Fail,
            (Ok(ms), Decision::Reconnect { attempt, .. }) => match ms.as_f64() {
                Some(ms) if ms.is_finite() && ms >= 0.0 => Decision::Reconnect {
                    delay: ms as u64,
                    attempt,
                },
                _ => decision,
            },
            (Ok(_), decision) => decision,
        }
    }

    fn backlog(&mut self) -> Option<Promise> {
        if !std::mem::take(&mut self.behind) {
            return None;
        }
        let drained = self.drained.as_ref()?.call0(&JsValue::UNDEFINED).ok()?;
        Some(Promise::resolve(&drained))
    }
}

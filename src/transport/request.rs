//! Building and sending one request: method, headers, body, `Last-Event-ID`.
//!
//! The Rust API builds its requests here ([`RequestSpec`]). The JavaScript API builds them
//! in JavaScript (`js/request.js`, called through [`JsRequester`]), so that a page's first
//! request can go out while the wasm is still loading.

use super::sys::{describe, future, global_fetch};
use crate::error::Error;
use crate::state::last_event_id_header;
use js_sys::{Array, Function, Promise};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, Headers, RequestCache, RequestCredentials, RequestInit, Response};

/// Sends a connection's request and waits for the response headers.
pub(crate) trait Requester {
    /// `signal` aborts the request and its body; `last_event_id` is the event source's
    /// last event ID string.
    async fn send(&self, last_event_id: &str, signal: &AbortSignal) -> Result<Response, Error>;
}

/// A JavaScript function `(lastEventId, signal) => Promise` that builds and sends the
/// request (see [`received`] for what the promise settles with).
pub(crate) struct JsRequester(pub(crate) Function);

impl Requester for JsRequester {
    async fn send(&self, last_event_id: &str, signal: &AbortSignal) -> Result<Response, Error> {
        match self
            .0
            .call2(&JsValue::UNDEFINED, &last_event_id.into(), signal)
        {
            Ok(pending) => received(&Promise::resolve(&pending)).await,
            Err(thrown) => Err(Error::Network {
                message: describe(&thrown),
            }),
        }
    }
}

/// The outcome of a request sent from JavaScript: the promise fulfils with the `Response`,
/// or with `[context, thrown]` (or `[reason]`) when no request could be built (a headers
/// function threw, say: the request is invalid, and retrying will not mend it), and rejects
/// when `fetch` rejects (a network error).
pub(crate) async fn received(pending: &Promise) -> Result<Response, Error> {
    let value = future(pending).await.map_err(|e| Error::Network {
        message: describe(&e),
    })?;
    if Array::is_array(&value) {
        let parts: Vec<String> = Array::from(&value).iter().map(|p| describe(&p)).collect();
        return Err(Error::Request {
            message: parts.join(": "),
        });
    }
    value.dyn_into::<Response>().map_err(|_| Error::Request {
        message: "the fetch function did not return a Response".into(),
    })
}

/// A request part that may be recomputed for every connection (a refreshed token, a
/// rebuilt body).
#[derive(Clone, Default)]
pub(crate) enum Source {
    #[default]
    None,
    /// The same value every time.
    Value(JsValue),
    /// A Rust function, called on every (re)connect.
    Rust(Rc<dyn Fn() -> JsValue>),
}

impl Source {
    fn resolve(&self) -> Option<JsValue> {
        let value = match self {
            Source::None => return None,
            Source::Value(value) => value.clone(),
            Source::Rust(f) => f(),
        };
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }
}

/// Everything needed to make the request, again on every reconnect.
#[derive(Clone)]
pub(crate) struct RequestSpec {
    pub(crate) url: String,
    pub(crate) method: String,
    /// Always set, after `headers` (the Rust builder's `header()` calls).
    pub(crate) fixed_headers: Vec<(String, String)>,
    /// Anything `new Headers(…)` accepts: an object, a `Headers`, pairs.
    pub(crate) headers: Source,
    /// Anything `fetch` accepts as a body.
    pub(crate) body: Source,
    /// Sent as `Content-Type` when no header sets one (the `json` shortcut).
    pub(crate) default_content_type: Option<String>,
    pub(crate) credentials: Option<RequestCredentials>,
}

impl Requester for RequestSpec {
    async fn send(&self, last_event_id: &str, signal: &AbortSignal) -> Result<Response, Error> {
        let init = self.init(last_event_id, signal)?;
        let response =
            future(&global_fetch(&self.url, &init))
                .await
                .map_err(|e| Error::Network {
                    message: describe(&e),
                })?;
        Ok(response.unchecked_into())
    }
}

impl RequestSpec {
    pub(crate) fn new(url: impl Into<String>) -> RequestSpec {
        RequestSpec {
            url: url.into(),
            method: "GET".into(),
            fixed_headers: Vec::new(),
            headers: Source::None,
            body: Source::None,
            default_content_type: None,
            credentials: None,
        }
    }

    fn init(&self, last_event_id: &str, signal: &AbortSignal) -> Result<RequestInit, Error> {
        let init = RequestInit::new();
        init.set_method(&self.method);
        init.set_headers_headers(&self.headers(last_event_id)?);
        if let Some(body) = self.body.resolve() {
            if matches!(self.method.to_ascii_uppercase().as_str(), "GET" | "HEAD") {
                return Err(Error::Request {
                    message: format!("a {} request cannot have a body", self.method),
                });
            }
            init.set_body(&body);
        }
        // [spec] "Set request's cache mode to "no-store"."
        init.set_cache(RequestCache::NoStore);
        if let Some(credentials) = self.credentials {
            init.set_credentials(credentials);
        }
        init.set_signal(Some(signal));
        Ok(init)
    }

    fn headers(&self, last_event_id: &str) -> Result<Headers, Error> {
        let invalid = |e: JsValue| Error::Request {
            message: format!("invalid headers: {}", describe(&e)),
        };
        let headers = match self.headers.resolve() {
            Some(init) => Headers::new_with_str_sequence_sequence(&init).map_err(invalid)?,
            None => Headers::new().map_err(invalid)?,
        };
        for (name, value) in &self.fixed_headers {
            headers.set(name, value).map_err(invalid)?;
        }
        // [spec] "Set (`Accept`, `text/event-stream`) in request's header list."
        // Kept when the caller chose their own.
        if !headers.has("accept").map_err(invalid)? {
            headers
                .set("accept", "text/event-stream")
                .map_err(invalid)?;
        }
        if let Some(content_type) = &self.default_content_type {
            if !headers.has("content-type").map_err(invalid)? {
                headers.set("content-type", content_type).map_err(invalid)?;
            }
        }
        if let Some(value) = last_event_id_header(last_event_id) {
            headers.set("last-event-id", &value).map_err(invalid)?;
        }
        Ok(headers)
    }
}

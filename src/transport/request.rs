//! Building and sending one request: method, headers, body, `Last-Event-ID`.

use super::sys::{describe, future, global_fetch};
use crate::error::Error;
use crate::state::last_event_id_header;
use js_sys::{Function, Object, Promise};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, Headers, RequestCache, RequestCredentials, RequestInit, Response};

/// A request part that may be recomputed for every connection (a refreshed token, a
/// rebuilt body).
#[derive(Clone, Default)]
pub(crate) enum Source {
    #[default]
    None,
    /// The same value every time.
    Value(JsValue),
    /// A JavaScript function, called on every (re)connect; it may return a promise.
    Js(Function),
    /// A Rust function, called on every (re)connect.
    Rust(Rc<dyn Fn() -> JsValue>),
}

impl Source {
    async fn resolve(&self, what: &str) -> Result<Option<JsValue>, Error> {
        let value = match self {
            Source::None => return Ok(None),
            Source::Value(value) => value.clone(),
            Source::Rust(f) => f(),
            Source::Js(f) => {
                let returned = f.call0(&JsValue::UNDEFINED).map_err(|e| failed(what, &e))?;
                // `Promise.resolve` accepts a plain value too, and adopts any thenable.
                future(&Promise::resolve(&returned))
                    .await
                    .map_err(|e| failed(what, &e))?
            }
        };
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }
}

fn failed(what: &str, error: &JsValue) -> Error {
    Error::Request {
        message: format!("the {what} function failed: {}", describe(error)),
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
    /// Further `RequestInit` members from JavaScript (mode, redirect, referrer, …).
    pub(crate) init: Option<Object>,
    /// A replacement for the global `fetch`.
    pub(crate) fetch: Option<Function>,
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
            init: None,
            fetch: None,
        }
    }

    /// Sends the request and waits for the response headers.
    pub(crate) async fn send(
        &self,
        last_event_id: &str,
        signal: &AbortSignal,
    ) -> Result<Response, Error> {
        let init = self.init(last_event_id, signal).await?;
        let pending = match &self.fetch {
            None => global_fetch(&self.url, &init),
            Some(fetch) => {
                let returned = fetch
                    .call2(&JsValue::UNDEFINED, &JsValue::from_str(&self.url), &init)
                    .map_err(|e| Error::Network {
                        message: describe(&e),
                    })?;
                Promise::resolve(&returned)
            }
        };
        let response = future(&pending).await.map_err(|e| Error::Network {
            message: describe(&e),
        })?;
        response.dyn_into::<Response>().map_err(|_| Error::Request {
            message: "the fetch function did not return a Response".into(),
        })
    }

    async fn init(&self, last_event_id: &str, signal: &AbortSignal) -> Result<RequestInit, Error> {
        let init: RequestInit = match &self.init {
            Some(extra) => Object::assign(&Object::new(), extra).unchecked_into(),
            None => RequestInit::new(),
        };
        init.set_method(&self.method);
        init.set_headers_headers(&self.headers(last_event_id).await?);
        if let Some(body) = self.body.resolve("body").await? {
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

    async fn headers(&self, last_event_id: &str) -> Result<Headers, Error> {
        let invalid = |e: JsValue| Error::Request {
            message: format!("invalid headers: {}", describe(&e)),
        };
        let headers = match self.headers.resolve("headers").await? {
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

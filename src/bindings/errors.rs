//! Rust errors to JavaScript `Error`s with a machine-readable `reason`.

use crate::error::Error;
use crate::parser::ParseError;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// Sets an own property on a fresh object, which cannot fail.
fn set(object: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}

/// A JS `Error` named `ParseError`, with `reason` (e.g. `"event_too_large"`) and `limit`.
pub(crate) fn parse_error(error: &ParseError) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("ParseError");
    let object: &JsValue = js.as_ref();
    set(object, "reason", &error.reason().into());
    match error {
        ParseError::EventTooLarge { limit } => set(object, "limit", &(*limit as f64).into()),
    }
    js.into()
}

/// A plain object describing a client error, which the JS wrapper turns into its
/// `SseError`: `{ reason, message, status?, contentType?, body?, attempts?, retryable }`.
pub(crate) fn client_error(error: &Error) -> JsValue {
    let object: JsValue = js_sys::Object::new().into();
    set(&object, "reason", &error.reason().into());
    set(&object, "message", &error.to_string().into());
    set(&object, "retryable", &error.is_retryable().into());
    if let Some(status) = error.status() {
        set(&object, "status", &status.into());
    }
    let detail = match error {
        Error::RetriesExhausted { attempts, last } => {
            set(&object, "attempts", &(*attempts).into());
            last.as_ref()
        }
        other => other,
    };
    if let Error::Status {
        content_type, body, ..
    }
    | Error::ContentType {
        content_type, body, ..
    } = detail
    {
        if let Some(content_type) = content_type {
            set(&object, "contentType", &content_type.into());
        }
        set(&object, "body", &body.into());
    }
    if let Error::Parse(ParseError::EventTooLarge { limit }) = detail {
        set(&object, "limit", &(*limit as f64).into());
    }
    object
}

//! Rust errors to JavaScript `Error`s with a machine-readable `reason`.

use crate::parser::ParseError;
use wasm_bindgen::JsValue;

/// A JS `Error` named `ParseError`, with `reason` (e.g. `"event_too_large"`) and `limit`.
pub(crate) fn parse_error(error: &ParseError) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("ParseError");
    let object: &JsValue = js.as_ref();
    // Setting own properties on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(object, &"reason".into(), &error.reason().into());
    match error {
        ParseError::EventTooLarge { limit } => {
            let _ = js_sys::Reflect::set(object, &"limit".into(), &(*limit as f64).into());
        }
    }
    js.into()
}

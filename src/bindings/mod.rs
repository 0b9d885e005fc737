//! The `#[wasm_bindgen]` surface of the npm package. Thin: conversions only, no logic.
//! The hand-written wrapper in `js/` turns it into the public JavaScript API.

mod batch;
mod connection;
mod errors;
mod failure;
mod parser;

//! `RawParser`: the parser for JavaScript, one call per chunk.
//!
//! Each call returns the chunk's items as one batch, `[text, layout]` (see `batch.rs`),
//! so a chunk costs a fixed number of boundary crossings however many events it holds.

use super::batch::Batch;
use super::errors::parse_error;
use super::failure::install_panic_hook;
use crate::parser::{ParseError, Parser, ParserOptions};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
/// A streaming event stream parser (low-level; see the package's `createParser`).
#[wasm_bindgen]
pub struct RawParser {
    parser: Parser,
    batch: Batch,
}

#[wasm_bindgen]
impl RawParser {
    /// `max_event_size` in bytes (default 16 MiB); `dispatch_incomplete_event` dispatches
    /// an event left without its blank line at the end of the stream.
    #[wasm_bindgen(constructor)]
    pub fn new(max_event_size: Option<f64>, dispatch_incomplete_event: Option<bool>) -> RawParser {
        install_panic_hook();
        let mut options = ParserOptions::default();
        if let Some(max) = max_event_size.filter(|m| m.is_finite() && *m >= 0.0) {
            // `as` saturates for floats: a huge limit becomes usize::MAX.
            options = options.max_event_size(max as usize);
        }
        if let Some(on) = dispatch_incomplete_event {
            options = options.dispatch_incomplete_event(on);
        }
        RawParser {
            parser: Parser::with_options(options),
            batch: Batch::default(),
        }
    }

    /// Parses the next chunk of the body; returns the items it completed. A `ParseError`
    /// carries, as `batch`, the items the chunk completed before the limit was crossed.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Array, JsValue> {
        let batch = &mut self.batch;
        batch.clear();
        let parsed = self
            .parser
            .feed_marked(chunk, |item, same_id| batch.push(item, same_id));
        self.batch_or_error(parsed)
    }

    /// Ends the stream; returns what the end completes (only with
    /// `dispatch_incomplete_event`). The parser is then ready for a new stream.
    pub fn finish(&mut self) -> Result<Array, JsValue> {
        let batch = &mut self.batch;
        batch.clear();
        let parsed = self
            .parser
            .finish_marked(|item, same_id| batch.push(item, same_id));
        self.batch_or_error(parsed)
    }

    /// Starts a new stream, keeping the last event ID.
    pub fn reset(&mut self) {
        self.parser.reset();
    }

    /// The last event ID string.
    #[wasm_bindgen(getter, js_name = lastEventId)]
    pub fn last_event_id(&self) -> String {
        self.parser.last_event_id().to_owned()
    }

    /// Restores a saved last event ID; `false` if it contains U+0000.
    #[wasm_bindgen(js_name = setLastEventId)]
    pub fn set_last_event_id(&mut self, id: &str) -> bool {
        self.parser.set_last_event_id(id)
    }
}

impl RawParser {
    /// The call's batch, or its error with the batch attached: the items completed before
    /// the limit was crossed are as real as those of earlier chunks, and without them what
    /// a caller sees before the error would depend on where the network cut the stream.
    fn batch_or_error(&self, parsed: Result<(), ParseError>) -> Result<Array, JsValue> {
        let batch = self.batch.to_js_array();
        let Err(e) = parsed else {
            return Ok(batch);
        };
        let error = parse_error(&e);
        // A fresh Error object: setting a property on it cannot fail.
        let _ = Reflect::set(&error, &"batch".into(), &batch);
        Err(error)
    }
}

//! `RawParser`: the parser for JavaScript, one call per chunk.
//!
//! Items cross the boundary as one flat array per chunk, so a chunk costs one call into
//! wasm however many events it holds:
//! `[0, type | undefined, data, lastEventId]` for an event, `[1, ms]` for a retry and
//! `[2, text]` for a comment, repeated. The JS wrapper turns them into objects.

use super::errors::parse_error;
use crate::parser::{Item, Parser, ParserOptions};
use js_sys::Array;
use wasm_bindgen::prelude::*;

const EVENT: u8 = 0;
const RETRY: u8 = 1;
const COMMENT: u8 = 2;

/// A streaming event stream parser (low-level; see the package's `createParser`).
#[wasm_bindgen]
pub struct RawParser {
    parser: Parser,
}

#[wasm_bindgen]
impl RawParser {
    /// `max_event_size` in bytes (default 16 MiB); `dispatch_incomplete_event` dispatches
    /// an event left without its blank line at the end of the stream.
    #[wasm_bindgen(constructor)]
    pub fn new(max_event_size: Option<f64>, dispatch_incomplete_event: Option<bool>) -> RawParser {
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
        }
    }

    /// Parses the next chunk of the body; returns the items it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Array, JsValue> {
        let items = Array::new();
        self.parser
            .feed(chunk, |item| push(&items, item))
            .map_err(|e| parse_error(&e))?;
        Ok(items)
    }

    /// Ends the stream; returns what the end completes (only with
    /// `dispatch_incomplete_event`). The parser is then ready for a new stream.
    pub fn finish(&mut self) -> Result<Array, JsValue> {
        let items = Array::new();
        self.parser
            .finish(|item| push(&items, item))
            .map_err(|e| parse_error(&e))?;
        Ok(items)
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

fn push(items: &Array, item: Item) {
    match item {
        Item::Event(event) => {
            items.push(&EVENT.into());
            items.push(&event.event_type.map_or(JsValue::UNDEFINED, |t| t.into()));
            items.push(&event.data.into());
            items.push(&event.last_event_id.into());
        }
        Item::Retry(ms) => {
            items.push(&RETRY.into());
            // Milliseconds past 2^53 are not meaningful delays; f64 keeps them ordered.
            items.push(&(ms as f64).into());
        }
        Item::Comment(text) => {
            items.push(&COMMENT.into());
            items.push(&text.into());
        }
    }
}

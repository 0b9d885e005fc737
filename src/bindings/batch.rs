//! Parsed items to JavaScript, one batch per chunk.
//!
//! A chunk's items cross the boundary as two values, however many events it holds: one
//! string with all their text, and a `Uint32Array` layout that cuts it, in UTF-16 code
//! units (JavaScript string indices):
//! `0, typeLength | NO_TYPE, dataLength, idLength | SAME_ID` for an event,
//! `1, low, high` for a `retry:` (milliseconds as two 32-bit halves),
//! `2, length` for a comment,
//! `3, length` for a new last event ID string (client connections only),
//! `4, typeLength | NO_TYPE, idLength | SAME_ID` for an event whose data is not in the text but
//! handed over beside it, as its own UTF-8 bytes (client connections only: see
//! [`Batch::push_event_with_own_data`]),
//! `5, count, dataLength…` for a run of events without a type whose last event ID is that
//! of the batch's item before the run (an event, or a new last event ID string): the
//! common case of a stream of plain `data:` messages, one number per event instead of four,
//! with no ID to copy and slice for each.
//!
//! `SAME_ID` stands for the last event ID of the batch's item before: an ID is copied into
//! the text only when it changes (and once per batch), so a long ID that many events carry
//! costs its length once, not once per event.

use crate::parser::ItemRef;
use js_sys::{Array, JsString, Uint32Array};

const EVENT: u32 = 0;
const RETRY: u32 = 1;
const COMMENT: u32 = 2;
const LAST_EVENT_ID: u32 = 3;
const EVENT_WITH_OWN_DATA: u32 = 4;
const MESSAGES: u32 = 5;
/// The layout's type length for an event without an `event:` field.
const NO_TYPE: u32 = u32::MAX;
/// The layout's ID length for an event with the last event ID of the item before it.
const SAME_ID: u32 = u32::MAX;

pub(crate) struct Batch {
    text: String,
    /// Whether `text` is all ASCII, which JavaScript can decode without a TextDecoder.
    ascii: bool,
    layout: Vec<u32>,
    /// Whether the batch holds an event or a `3` item, whose last event ID a later event
    /// with the same ID can refer to.
    has_id: bool,
    /// The index in `layout` of the open run's count, while the latest item is that run.
    run: Option<usize>,
}

impl Default for Batch {
    fn default() -> Self {
        Batch {
            text: String::new(),
            ascii: true,
            layout: Vec::new(),
            has_id: false,
            run: None,
        }
    }
}

impl Batch {
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.ascii = true;
        self.layout.clear();
        self.has_id = false;
        self.run = None;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.layout.is_empty()
    }

    /// Adds an item; `same_id` says whether an event's last event ID is that of the
    /// event the parser dispatched before it (see `Parser::feed_marked`).
    pub(crate) fn push(&mut self, item: ItemRef<'_>, same_id: bool) {
        #[cfg(feature = "test-hooks")]
        super::failure::test_trigger(&item);
        match item {
            ItemRef::Event {
                event_type: None,
                data,
                ..
            } if same_id && self.has_id => {
                let data_len = self.text(data);
                self.push_message(data_len);
            }
            ItemRef::Event {
                event_type,
                data,
                last_event_id,
            } => {
                let type_len = event_type.map_or(NO_TYPE, |t| self.text(t));
                let data_len = self.text(data);
                let id_len = self.id_text(last_event_id, same_id);
                self.push_item(&[EVENT, type_len, data_len, id_len]);
            }
            ItemRef::Retry(ms) => {
                // Milliseconds past 2^53 lose precision in JS, and no delay is that long.
                self.push_item(&[RETRY, ms as u32, (ms >> 32) as u32]);
            }
            ItemRef::Comment(text) => {
                let len = self.text(text);
                self.push_item(&[COMMENT, len]);
            }
        }
    }

    /// Adds an item other than a message to the layout, which ends any open run.
    fn push_item(&mut self, item: &[u32]) {
        self.layout.extend_from_slice(item);
        self.run = None;
    }

    /// Adds a message with the latest last event ID to the open run, or opens one.
    fn push_message(&mut self, data_len: u32) {
        match self.run.and_then(|at| self.layout.get_mut(at)) {
            Some(count) => {
                *count += 1;
                self.layout.push(data_len);
            }
            None => {
                self.run = Some(self.layout.len() + 1);
                self.layout.extend_from_slice(&[MESSAGES, 1, data_len]);
            }
        }
    }

    /// An event whose data JavaScript decodes on its own, straight from the parser's data
    /// buffer, instead of as part of the text: for a large event the copy into the text
    /// and the ASCII scan cost more than a separate decode. The batch must be handed over
    /// before the parser goes on, while that buffer still holds the data.
    pub(crate) fn push_event_with_own_data(
        &mut self,
        event_type: Option<&str>,
        last_event_id: &str,
        same_id: bool,
    ) {
        let type_len = event_type.map_or(NO_TYPE, |t| self.text(t));
        let id_len = self.id_text(last_event_id, same_id);
        self.push_item(&[EVENT_WITH_OWN_DATA, type_len, id_len]);
    }

    /// Reports a new last event ID string.
    pub(crate) fn push_last_event_id(&mut self, id: &str) {
        let len = self.id_text(id, false);
        self.push_item(&[LAST_EVENT_ID, len]);
    }

    /// An event's ID for the layout: `SAME_ID` if it is that of the batch's item before,
    /// else its length, with the ID appended to the text.
    fn id_text(&mut self, id: &str, same_id: bool) -> u32 {
        if same_id && self.has_id {
            return SAME_ID;
        }
        self.has_id = true;
        self.text(id)
    }

    /// Appends `s` to the text; returns its length in UTF-16 code units.
    fn text(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        let units = if is_ascii(s) {
            s.len()
        } else {
            self.ascii = false;
            utf16_len(s)
        };
        // A string past 4 GiB cannot exist in wasm32 memory.
        units as u32
    }

    /// The text's UTF-8 bytes, whether they are all ASCII, and the layout, for JavaScript
    /// to read from wasm memory.
    pub(crate) fn raw_parts(&self) -> (&[u8], bool, &[u32]) {
        (self.text.as_bytes(), self.ascii, &self.layout)
    }

    /// `[text, layout]` as one array, for functions that return one value.
    pub(crate) fn to_js_array(&self) -> Array {
        let text = JsString::from(self.text.as_str());
        Array::of2(&text, &Uint32Array::from(self.layout.as_slice()))
    }
}

/// Whether `s` is all ASCII. `str::is_ascii` reads a word at a time and stops at the first
/// byte past ASCII; an OR of every byte, without a branch, compiles to 16-byte SIMD on
/// wasm32 and checks an event's data several times faster (W2's 32 KiB events: fetchEventSource
/// 12% faster in Node).
fn is_ascii(s: &str) -> bool {
    s.bytes().fold(0, |seen, b| seen | b) < 0x80
}

/// The length of `s` in UTF-16 code units, counted over its bytes: one unit per character,
/// that is per byte that does not continue a sequence, and a second one for each four-byte
/// sequence (a surrogate pair). Counted in blocks of 112 bytes into a byte-wide sum (at
/// most 2 a byte, so it cannot wrap), which the compiler vectorises 16 bytes a step,
/// rather than widening each byte to a word. 112 is the largest multiple of 16 whose sum
/// fits: with 127, each block ended in 15 bytes counted one at a time.
#[inline(never)]
fn utf16_len(s: &str) -> usize {
    s.as_bytes()
        .chunks(112)
        .map(|block| {
            let units = block.iter().fold(0u8, |n, &b| {
                n.wrapping_add(u8::from(b & 0xC0 != 0x80) + u8::from(b >= 0xF0))
            });
            usize::from(units)
        })
        .sum()
}

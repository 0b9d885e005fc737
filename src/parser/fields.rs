//! Interpreting lines: fields, the event buffers, and dispatch.
//!
//! \[spec\] "When a stream is parsed, a data buffer, an event type buffer, and a last
//! event ID buffer must be associated with it."

use super::growth::reserve_within;
use super::lines::Line;
use super::{ItemRef, ParseError};

/// The largest data buffer kept between events; a larger one is freed after dispatch, so
/// one huge event does not hold its memory for the rest of the stream.
const KEPT_CAPACITY: usize = 64 * 1024;

#[derive(Debug)]
pub(crate) struct EventBuffers {
    data: String,
    event_type: String,
    last_event_id_buffer: String,
    /// Whether an `id:` field set the last event ID buffer since the last dispatch: only
    /// then can the last event ID string change, and comparing the two per event is not
    /// free.
    id_field_seen: bool,
    /// The EventSource's "last event ID string": what reconnections send as `Last-Event-ID`.
    last_event_id: String,
    /// Whether the last event ID string may have changed since the last event was
    /// dispatched: a consumer that already holds that event's ID can skip comparing it.
    id_changed: bool,
    max_data: usize,
}

impl EventBuffers {
    pub(crate) fn new(max_data: usize) -> Self {
        EventBuffers {
            data: String::new(),
            event_type: String::new(),
            last_event_id_buffer: String::new(),
            id_field_seen: false,
            last_event_id: String::new(),
            id_changed: true,
            max_data,
        }
    }

    pub(crate) fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// Sets the last event ID string, as a saved ID restored before the first connection.
    pub(crate) fn set_last_event_id(&mut self, id: &str) {
        replace(&mut self.last_event_id, id);
        replace(&mut self.last_event_id_buffer, id);
        self.id_changed = true;
    }

    /// Discards the event being built, as when a connection ends: an `id:` seen in an
    /// undispatched block does not survive, the last event ID string does.
    pub(crate) fn reset(&mut self) {
        self.data = String::new();
        replace(&mut self.event_type, "");
        replace(&mut self.last_event_id_buffer, &self.last_event_id);
        self.id_field_seen = false;
    }

    /// Processes one complete line (without its line ending). `on_item` gets each item,
    /// and for an event whether its last event ID is that of the event dispatched before
    /// it (`false` for the first, and for other items).
    pub(crate) fn process_line<F>(
        &mut self,
        line: Line<'_>,
        on_item: &mut F,
    ) -> Result<(), ParseError>
    where
        F: FnMut(ItemRef<'_>, bool),
    {
        let bytes = line.as_bytes();
        // [spec] "If the line is empty (a blank line): Dispatch the event, as defined below."
        if bytes.is_empty() {
            self.dispatch(on_item);
            return Ok(());
        }
        // [spec] "If the line starts with a U+003A COLON character (:): Ignore the line."
        // It is still reported, so callers can see heartbeats.
        if bytes.first() == Some(&b':') {
            on_item(
                ItemRef::Comment(&strip_one_space(line.slice(1..)).decode()),
                false,
            );
            return Ok(());
        }
        match memchr::memchr(b':', bytes) {
            // [spec] "If the line contains a U+003A COLON character (:): Collect the
            // characters on the line before the first U+003A COLON character (:), and let
            // field be that string. Collect the characters on the line after the first
            // U+003A COLON character (:), and let value be that string. If value starts
            // with a U+0020 SPACE character, remove it from value."
            Some(colon) => {
                let name = bytes.get(..colon).unwrap_or_default();
                let value = strip_one_space(line.slice(colon + 1..));
                self.process_field(name, value, on_item)
            }
            // [spec] "Otherwise, the string is not empty but does not contain a U+003A
            // COLON character (:): Process the field using the steps described below,
            // using the whole line as the field name, and the empty string as the field
            // value."
            None => self.process_field(bytes, Line::Text(""), on_item),
        }
    }

    /// \[spec\] "The steps to process the field given a field name and a field value
    /// depend on the field name, as given in the following list. Field names must be
    /// compared literally, with no case folding performed."
    fn process_field<F>(
        &mut self,
        name: &[u8],
        value: Line<'_>,
        on_item: &mut F,
    ) -> Result<(), ParseError>
    where
        F: FnMut(ItemRef<'_>, bool),
    {
        match name {
            // [spec] "Append the field value to the data buffer, then append a single
            // U+000A LINE FEED (LF) character to the data buffer."
            b"data" => {
                let value = value.decode();
                // The event's data if it ended here: the LF appended below is removed at
                // dispatch unless another data line follows (which counts it then).
                let len = self.data.len().saturating_add(value.len());
                if len > self.max_data {
                    self.data = String::new();
                    return Err(ParseError::EventTooLarge {
                        limit: self.max_data,
                    });
                }
                // The data, and its LF: at most one byte past the limit.
                let limit = self.max_data.saturating_add(1);
                if let Some(more) = reserve_within(
                    self.data.len(),
                    self.data.capacity(),
                    value.len() + 1,
                    limit,
                ) {
                    self.data.reserve_exact(more);
                }
                self.data.push_str(&value);
                self.data.push('\n');
            }
            // [spec] "Set the event type buffer to the field value."
            b"event" => replace_with_decoded(&mut self.event_type, value, self.max_data)?,
            // [spec] "If the field value does not contain U+0000 NULL, then set the last
            // event ID buffer to the field value. Otherwise, ignore the field."
            // (In UTF-8 the byte 0 only ever encodes U+0000.)
            b"id" if memchr::memchr(0, value.as_bytes()).is_none() => {
                replace_with_decoded(&mut self.last_event_id_buffer, value, self.max_data)?;
                self.id_field_seen = true;
            }
            // [spec] "If the field value consists of only ASCII digits, then interpret the
            // field value as an integer in base ten, and set the event stream's
            // reconnection time to that integer. Otherwise, ignore the field."
            b"retry" => {
                if let Some(ms) = parse_digits(value.as_bytes()) {
                    on_item(ItemRef::Retry(ms), false);
                }
            }
            // [spec] "Otherwise: The field is ignored."
            _ => {}
        }
        Ok(())
    }

    /// \[spec\] "When the user agent is required to dispatch the event …"
    pub(crate) fn dispatch<F>(&mut self, on_item: &mut F)
    where
        F: FnMut(ItemRef<'_>, bool),
    {
        // [spec] "1. Set the last event ID string of the event source to the value of the
        // last event ID buffer. The buffer does not get reset, so the last event ID string
        // of the event source remains set to this value until the next time it is set by
        // the server." (This happens even for a block without data.)
        if std::mem::take(&mut self.id_field_seen)
            && self.last_event_id != self.last_event_id_buffer
        {
            replace(&mut self.last_event_id, &self.last_event_id_buffer);
            self.id_changed = true;
        }
        // [spec] "2. If the data buffer is an empty string, set the data buffer and the
        // event type buffer to the empty string and return."
        if self.data.is_empty() {
            replace(&mut self.event_type, "");
            return;
        }
        // [spec] "3. If the data buffer's last character is a U+000A LINE FEED (LF)
        // character, then remove the last character from the data buffer."
        if self.data.as_bytes().last() == Some(&b'\n') {
            self.data.pop();
        }
        on_item(
            ItemRef::Event {
                event_type: (!self.event_type.is_empty()).then_some(self.event_type.as_str()),
                data: &self.data,
                last_event_id: &self.last_event_id,
            },
            !std::mem::take(&mut self.id_changed),
        );
        // [spec] "7. Set the data buffer and the event type buffer to the empty string."
        // The data buffer keeps its allocation for the next event, unless it is large.
        if self.data.capacity() > KEPT_CAPACITY {
            self.data = String::new();
        } else {
            self.data.clear();
        }
        replace(&mut self.event_type, "");
    }
}

/// \[spec\] "If value starts with a U+0020 SPACE character, remove it from value."
/// Only one: further spaces are part of the value.
fn strip_one_space(value: Line<'_>) -> Line<'_> {
    match value.as_bytes().first() {
        Some(b' ') => value.slice(1..),
        _ => value,
    }
}

/// Sets `buffer` to the decoded `value`. The line's limit counts its bytes as they came,
/// and each invalid byte decodes to three (U+FFFD): the decoded value is held to the
/// limit too.
fn replace_with_decoded(
    buffer: &mut String,
    value: Line<'_>,
    limit: usize,
) -> Result<(), ParseError> {
    let value = value.decode();
    if value.len() > limit {
        return Err(ParseError::EventTooLarge { limit });
    }
    replace(buffer, &value);
    Ok(())
}

/// Sets `buffer` to `value`, reusing its allocation unless that is large and `value`
/// small: one huge `event:` or `id:` value does not hold its memory for the rest of the
/// stream.
fn replace(buffer: &mut String, value: &str) {
    if buffer.capacity() > KEPT_CAPACITY && value.len() <= KEPT_CAPACITY {
        *buffer = value.to_owned();
    } else {
        value.clone_into(buffer);
    }
}

/// A base-ten integer made of ASCII digits only (at least one), saturating at `u64::MAX`.
fn parse_digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(value.iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_buffer_grows_no_further_than_the_limit() {
        // 299-byte data lines (300 with the LF) under a 1000-byte limit: doubling alone
        // would reach 1200 bytes of capacity at the third line.
        let mut buffers = EventBuffers::new(1000);
        let value = "x".repeat(299);
        let mut events = Vec::new();
        for _ in 0..3 {
            let line = format!("data:{value}");
            buffers
                .process_line(Line::Text(&line), &mut |_, _| {})
                .unwrap();
        }
        assert_eq!(buffers.data.len(), 900);
        assert!(
            buffers.data.capacity() <= 1001,
            "{}",
            buffers.data.capacity()
        );
        buffers.dispatch(&mut |item, _| {
            if let ItemRef::Event { data, .. } = item {
                events.push(data.len());
            }
        });
        assert_eq!(events, [899]);
    }

    #[test]
    fn a_large_type_or_id_is_not_held_once_smaller_ones_replace_it() {
        let mut buffers = EventBuffers::new(1 << 20);
        let large = "x".repeat(KEPT_CAPACITY * 4);
        for line in [
            format!("event:{large}"),
            format!("id:{large}"),
            "data:x".into(),
            String::new(),
        ] {
            buffers
                .process_line(Line::Text(&line), &mut |_, _| {})
                .unwrap();
        }
        assert_eq!(buffers.last_event_id.len(), large.len());
        for line in ["event:tick", "id:1", "data:y", ""] {
            buffers
                .process_line(Line::Text(line), &mut |_, _| {})
                .unwrap();
        }
        assert_eq!(buffers.last_event_id, "1");
        for capacity in [
            buffers.event_type.capacity(),
            buffers.last_event_id_buffer.capacity(),
            buffers.last_event_id.capacity(),
        ] {
            assert!(capacity <= KEPT_CAPACITY, "{capacity} bytes kept");
        }
    }

    #[test]
    fn each_event_says_whether_its_id_is_that_of_the_event_before() {
        let mut buffers = EventBuffers::new(1000);
        let mut marks = Vec::new();
        let lines = [
            "data:a", "", // the first event: nothing before it
            "data:b", "", // same ID ("")
            "id:1", "data:c", "", // a new ID
            "id:1", "data:d", "", // the id field again, the same value
            "id:2", "", // a new ID in a block without data
            "data:e", "",
        ];
        for line in lines {
            buffers
                .process_line(Line::Text(line), &mut |item, same_id| {
                    if let ItemRef::Event { data, .. } = item {
                        marks.push((data.to_owned(), same_id));
                    }
                })
                .unwrap();
        }
        let expected = [
            ("a", false),
            ("b", true),
            ("c", false),
            ("d", true),
            ("e", false),
        ];
        assert_eq!(marks, expected.map(|(d, m)| (d.to_owned(), m)));
        buffers.set_last_event_id("3");
        buffers
            .process_line(Line::Text("data:f"), &mut |_, _| {})
            .unwrap();
        buffers
            .process_line(Line::Text(""), &mut |_, same_id| assert!(!same_id))
            .unwrap();
    }
}

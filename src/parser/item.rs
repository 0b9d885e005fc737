//! What the parser hands out.

/// One thing found in the event stream, in stream order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A dispatched event: a block of fields ended by a blank line, with data.
    Event(Event),
    /// A `retry:` field of ASCII digits: the new reconnection time, in milliseconds.
    /// Values too large for `u64` saturate.
    Retry(u64),
    /// A line starting with `:`; the text after the colon, one leading space removed.
    /// Servers send these as keep-alive heartbeats.
    Comment(String),
}

/// A dispatched event, as the spec's `MessageEvent` would carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The event type buffer: the block's `event:` field, or `None` when the block had
    /// none or an empty one. See [`Event::dispatch_type`] for the type the spec dispatches.
    pub event_type: Option<String>,
    /// The data buffer: `data:` lines joined with LF.
    pub data: String,
    /// The last event ID string after this block: set by the most recent `id:` field,
    /// in this block or an earlier one.
    pub last_event_id: String,
}

impl Event {
    /// The type the event is dispatched as: the `event:` field, or `"message"`.
    ///
    /// \[spec\] "Initialize event's type attribute to "message" … If the event type buffer
    /// has a value other than the empty string, change the type of the newly created
    /// event to equal the value of the event type buffer."
    pub fn dispatch_type(&self) -> &str {
        self.event_type.as_deref().unwrap_or("message")
    }
}

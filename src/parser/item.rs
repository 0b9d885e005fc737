//! What the parser hands out.

use std::sync::Arc;

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
    /// in this block or an earlier one. Shared, not copied, by the events that carry the
    /// same ID: a long ID that many events carry is held once.
    pub last_event_id: Arc<str>,
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

/// An [`Item`] borrowed from the parser's buffers, for the length of a callback: what
/// [`Parser::feed_borrowed`](super::Parser::feed_borrowed) hands out, so that dispatching
/// an event allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRef<'a> {
    /// A dispatched event; the fields are those of [`Event`].
    Event {
        /// The `event:` field, or `None`.
        event_type: Option<&'a str>,
        /// The data lines joined with LF.
        data: &'a str,
        /// The last event ID string at dispatch.
        last_event_id: &'a str,
    },
    /// A `retry:` field, as [`Item::Retry`].
    Retry(u64),
    /// A comment, as [`Item::Comment`].
    Comment(&'a str),
}

impl ItemRef<'_> {
    /// The owned item.
    pub fn to_item(&self) -> Item {
        self.to_shared_item(false, &mut None)
    }

    /// The owned item, its last event ID shared with the event before it when `same_id`
    /// says it is the same (see `Parser::feed_marked`): `shared` holds the ID of the
    /// latest event made this way.
    pub(crate) fn to_shared_item(self, same_id: bool, shared: &mut Option<Arc<str>>) -> Item {
        match self {
            ItemRef::Event {
                event_type,
                data,
                last_event_id,
            } => {
                let last_event_id = match shared {
                    Some(id) if same_id => Arc::clone(id),
                    _ => shared.insert(Arc::from(last_event_id)).clone(),
                };
                Item::Event(Event {
                    event_type: event_type.map(str::to_owned),
                    data: data.to_owned(),
                    last_event_id,
                })
            }
            ItemRef::Retry(ms) => Item::Retry(ms),
            ItemRef::Comment(text) => Item::Comment(text.to_owned()),
        }
    }
}

//! The parser: line splitting and field interpretation joined, with limits and the end
//! of the stream handled.

use super::fields::EventBuffers;
use super::lines::{Line, LineSplitter};
use super::{Item, ItemRef, ParseError};
use std::sync::Arc;

/// The default [`ParserOptions::max_event_size`]: 16 MiB.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

/// How a [`Parser`] treats input that the spec does not bound.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParserOptions {
    /// The largest line, and the largest data, type or ID of one event once decoded (an
    /// invalid byte decodes to three), in bytes. Past it the parser stops with
    /// [`ParseError::EventTooLarge`] instead of growing.
    pub max_event_size: usize,
    /// At the end of the stream, dispatch an event whose closing blank line never came,
    /// for servers that omit it. Off by default: the spec discards such an event.
    pub dispatch_incomplete_event: bool,
}

impl Default for ParserOptions {
    fn default() -> Self {
        ParserOptions {
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
            dispatch_incomplete_event: false,
        }
    }
}

impl ParserOptions {
    /// Sets [`ParserOptions::max_event_size`].
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = bytes;
        self
    }

    /// Sets [`ParserOptions::dispatch_incomplete_event`].
    pub fn dispatch_incomplete_event(mut self, on: bool) -> Self {
        self.dispatch_incomplete_event = on;
        self
    }
}

/// A streaming event stream parser. Feed it the body's bytes as they arrive, in chunks
/// of any size and cut anywhere; it hands out [`Item`]s in stream order.
///
/// One `Parser` follows one `EventSource`: [`Parser::reset`] starts the next
/// connection's stream while keeping the last event ID.
#[derive(Debug)]
pub struct Parser {
    lines: LineSplitter,
    buffers: EventBuffers,
    options: ParserOptions,
    failed: Option<ParseError>,
    /// The last event ID of the latest event [`Parser::feed`] or [`Parser::finish`]
    /// handed out, which the next ones share while it does not change.
    shared_id: Option<Arc<str>>,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new()
    }
}

impl Parser {
    /// A parser with the default options.
    pub fn new() -> Self {
        Parser::with_options(ParserOptions::default())
    }

    /// A parser with the given options.
    pub fn with_options(options: ParserOptions) -> Self {
        Parser {
            lines: LineSplitter::new(options.max_event_size),
            buffers: EventBuffers::new(options.max_event_size),
            options,
            failed: None,
            shared_id: None,
        }
    }

    /// Feeds the next chunk of the body, calling `on_item` for each item it completes.
    ///
    /// On error nothing more is parsed, and the buffers are released, until [`Parser::reset`].
    pub fn feed<F>(&mut self, chunk: &[u8], mut on_item: F) -> Result<(), ParseError>
    where
        F: FnMut(Item),
    {
        let mut shared = self.shared_id.take();
        let result = self.parse(chunk, |item, same_id| {
            on_item(item.to_shared_item(same_id, &mut shared));
        });
        self.shared_id = shared;
        result
    }

    /// [`Parser::feed`], handing out items borrowed from the parser's buffers: nothing is
    /// allocated per event.
    pub fn feed_borrowed<F>(&mut self, chunk: &[u8], mut on_item: F) -> Result<(), ParseError>
    where
        F: FnMut(ItemRef<'_>),
    {
        self.feed_marked(chunk, |item, _| on_item(item))
    }

    /// [`Parser::feed_borrowed`], also telling for each event whether its last event ID
    /// is the one of the event dispatched before it (`false` for other items): a consumer
    /// that holds on to that ID need not copy or compare it again.
    pub(crate) fn feed_marked<F>(&mut self, chunk: &[u8], on_item: F) -> Result<(), ParseError>
    where
        F: FnMut(ItemRef<'_>, bool),
    {
        // Events handed out elsewhere: the next `feed` cannot share the ID it holds.
        self.shared_id = None;
        self.parse(chunk, on_item)
    }

    fn parse<F>(&mut self, chunk: &[u8], mut on_item: F) -> Result<(), ParseError>
    where
        F: FnMut(ItemRef<'_>, bool),
    {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let buffers = &mut self.buffers;
        let result = self
            .lines
            .feed(chunk, |line| buffers.process_line(line, &mut on_item));
        self.check(result)
    }

    /// Ends the stream: \[spec\] "Once the end of the file is reached, any pending data
    /// must be discarded. (If the file ends in the middle of an event, before the final
    /// empty line, the incomplete event is not dispatched.)" With
    /// [`ParserOptions::dispatch_incomplete_event`], the unfinished line is processed
    /// and the event dispatched instead.
    ///
    /// Afterwards the parser is ready for the next stream, as after [`Parser::reset`].
    pub fn finish<F>(&mut self, mut on_item: F) -> Result<(), ParseError>
    where
        F: FnMut(Item),
    {
        let mut shared = self.shared_id.take();
        let result = self.end(|item, same_id| {
            on_item(item.to_shared_item(same_id, &mut shared));
        });
        self.shared_id = shared;
        result
    }

    /// [`Parser::finish`], handing out borrowed items as [`Parser::feed_borrowed`] does.
    pub fn finish_borrowed<F>(&mut self, mut on_item: F) -> Result<(), ParseError>
    where
        F: FnMut(ItemRef<'_>),
    {
        self.finish_marked(|item, _| on_item(item))
    }

    /// [`Parser::finish_borrowed`], with the mark of [`Parser::feed_marked`].
    pub(crate) fn finish_marked<F>(&mut self, on_item: F) -> Result<(), ParseError>
    where
        F: FnMut(ItemRef<'_>, bool),
    {
        self.shared_id = None;
        self.end(on_item)
    }

    fn end<F>(&mut self, mut on_item: F) -> Result<(), ParseError>
    where
        F: FnMut(ItemRef<'_>, bool),
    {
        let mut result = match &self.failed {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        };
        if result.is_ok() && self.options.dispatch_incomplete_event {
            let line = self.lines.take_partial();
            if !line.is_empty() {
                result = self.buffers.process_line(Line::Bytes(&line), &mut on_item);
            }
            if result.is_ok() {
                self.buffers.dispatch(&mut on_item);
            }
        }
        self.reset();
        result
    }

    /// Starts a new stream, as for a new connection: discards the unfinished line and
    /// event and any error, and keeps the last event ID string.
    pub fn reset(&mut self) {
        self.lines.reset();
        self.buffers.reset();
        self.failed = None;
    }

    /// The last event ID string: the value a reconnection sends as `Last-Event-ID`.
    pub fn last_event_id(&self) -> &str {
        self.buffers.last_event_id()
    }

    /// Restores a saved last event ID string, as before a first connection.
    /// Like an `id:` field, an ID containing U+0000 is refused (returns `false`).
    pub fn set_last_event_id(&mut self, id: &str) -> bool {
        if id.contains('\0') {
            return false;
        }
        self.buffers.set_last_event_id(id);
        true
    }

    /// The options this parser was made with.
    pub fn options(&self) -> &ParserOptions {
        &self.options
    }

    fn check(&mut self, result: Result<(), ParseError>) -> Result<(), ParseError> {
        if let Err(error) = &result {
            self.lines.reset();
            self.buffers.reset();
            self.failed = Some(error.clone());
        }
        result
    }
}

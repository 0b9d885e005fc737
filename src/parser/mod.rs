//! The event stream parser: bytes in, [`Item`]s out. Sans-IO: no networking, no timers,
//! no JavaScript; it is tested natively and shared by every transport.
//!
//! It implements the "Parsing an event stream" and "Interpreting an event stream" rules
//! of the WHATWG HTML Standard, §9.2 Server-sent events
//! (<https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream>),
//! for input cut into chunks at arbitrary byte boundaries.
//!
//! ```
//! use wasm_sse::parser::{Item, Parser};
//!
//! let mut parser = Parser::new();
//! let mut items = Vec::new();
//! parser.feed(b"event: greeting\ndata: hel", |item| items.push(item)).unwrap();
//! parser.feed(b"lo\n\n", |item| items.push(item)).unwrap();
//! let Item::Event(event) = &items[0] else { panic!() };
//! assert_eq!((event.dispatch_type(), event.data.as_str()), ("greeting", "hello"));
//! ```

mod error;
mod event_stream;
mod fields;
mod growth;
mod item;
mod lines;

pub use error::ParseError;
pub use event_stream::{Parser, ParserOptions, DEFAULT_MAX_EVENT_SIZE};
pub use item::{Event, Item, ItemRef};

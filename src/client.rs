//! The Rust API: an event source as a [`futures_core::Stream`].
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use wasm_sse::client::{Event, EventSource};
//! use wasm_sse::retry::{Backoff, RetryPolicy};
//!
//! # async fn chat() {
//! let mut events = EventSource::builder("/api/chat")
//!     .method("POST")
//!     .header("Authorization", "Bearer my-token")
//!     .json(&serde_json::json!({ "prompt": "Hello" }))
//!     .retry(RetryPolicy::spec().backoff(Backoff::default()).max_attempts(5))
//!     .connect();
//! while let Some(item) = events.next().await {
//!     match item {
//!         Ok(Event::Open) => {}
//!         Ok(Event::Message(message)) if message.data == "[DONE]" => break,
//!         Ok(Event::Message(message)) => println!("{}: {}", message.dispatch_type(), message.data),
//!         // Dropped connections are reported, then retried; the stream ends after an
//!         // error it does not retry.
//!         Err(error) => eprintln!("{error} (retryable: {})", error.is_retryable()),
//!     }
//! }
//! // Leaving the loop drops the stream, which aborts the request.
//! # }
//! ```

use crate::error::Error;
use crate::parser::{Item, ItemRef, ParserOptions};
use crate::retry::{Decision, RetryPolicy};
use crate::transport::{run, Config, Observer, RequestSpec, Source};
use futures_core::Stream;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, RequestCredentials, Response};

/// What an [`EventStream`] yields when things go well.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A connection opened: \[spec\] "announce the connection".
    Open,
    /// A dispatched event.
    Message(crate::parser::Event),
}

/// Builds an event source; see the [module docs](self).
pub struct EventSource;

impl EventSource {
    /// Starts building an event source for `url` (absolute, or relative to the page).
    pub fn builder(url: impl Into<String>) -> EventSourceBuilder {
        EventSourceBuilder {
            request: RequestSpec::new(url),
            retry: RetryPolicy::default(),
            parser: ParserOptions::default(),
            last_event_id: String::new(),
            signal: None,
            idle_timeout: None,
            error: None,
        }
    }
}

/// The options of an event source. Nothing is sent until [`EventSourceBuilder::connect`].
#[must_use = "an EventSourceBuilder does nothing until connect() is called"]
pub struct EventSourceBuilder {
    request: RequestSpec,
    retry: RetryPolicy,
    parser: ParserOptions,
    last_event_id: String,
    signal: Option<AbortSignal>,
    idle_timeout: Option<u64>,
    error: Option<Error>,
}

impl EventSourceBuilder {
    /// The HTTP method (default `GET`).
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.request.method = method.into();
        self
    }

    /// Sets a request header, sent on every connection.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.request.fixed_headers.push((name.into(), value.into()));
        self
    }

    /// Headers computed again for every (re)connect, such as a refreshed token. Headers
    /// set with [`EventSourceBuilder::header`] are applied after these.
    pub fn headers_with(mut self, headers: impl Fn() -> Vec<(String, String)> + 'static) -> Self {
        self.request.headers = Source::Rust(Rc::new(move || {
            let pairs = js_sys::Array::new();
            for (name, value) in headers() {
                pairs.push(&js_sys::Array::of2(&name.into(), &value.into()));
            }
            pairs.into()
        }));
        self
    }

    /// The request body, sent on every connection.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.request.body = Source::Value(JsValue::from_str(&body.into()));
        self
    }

    /// A body computed again for every (re)connect.
    pub fn body_with(mut self, body: impl Fn() -> String + 'static) -> Self {
        self.request.body = Source::Rust(Rc::new(move || JsValue::from_str(&body())));
        self
    }

    /// A JSON body, with `Content-Type: application/json` unless a header sets another.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_string(value) {
            Ok(json) => {
                self.request.default_content_type = Some("application/json".into());
                return self.body(json);
            }
            Err(e) => {
                self.error = Some(Error::Request {
                    message: format!("the JSON body could not be serialized: {e}"),
                })
            }
        }
        self
    }

    /// Sends cookies and HTTP authentication cross-origin (`credentials: 'include'`), as
    /// `EventSource`'s `withCredentials` does.
    pub fn with_credentials(mut self, on: bool) -> Self {
        self.request.credentials = Some(if on {
            RequestCredentials::Include
        } else {
            RequestCredentials::SameOrigin
        });
        self
    }

    /// The retry policy (default: the spec's, [`RetryPolicy::spec`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// A last event ID to send as `Last-Event-ID` from the first request on, to resume a
    /// stream seen before. Ignored if it contains U+0000.
    pub fn last_event_id(mut self, id: impl Into<String>) -> Self {
        self.last_event_id = id.into();
        self
    }

    /// An `AbortSignal` that stops the event source; one already aborted stops it
    /// before any request.
    pub fn signal(mut self, signal: &AbortSignal) -> Self {
        self.signal = Some(signal.clone());
        self
    }

    /// Beyond the spec: drops and retries a connection on which nothing (not even a
    /// comment) arrives for `ms` milliseconds, as a half-open connection would. Off by
    /// default; a server's heartbeat interval plus some margin is a good value.
    pub fn idle_timeout(mut self, ms: u64) -> Self {
        self.idle_timeout = (ms > 0).then_some(ms);
        self
    }

    /// The parser's limits and end-of-stream behaviour.
    pub fn parser_options(mut self, options: ParserOptions) -> Self {
        self.parser = options;
        self
    }

    /// Starts connecting. Dropping the returned stream aborts the request and any
    /// pending reconnect.
    pub fn connect(self) -> EventStream {
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        if let Some(error) = self.error {
            inbox.borrow_mut().push(Err(error));
            return EventStream {
                inbox,
                engine: None,
            };
        }
        let config = Config {
            request: self.request,
            early: None,
            retry: self.retry,
            parser: self.parser,
            last_event_id: self.last_event_id,
            signal: self.signal,
            reconnect_at_end: true,
            idle_timeout: self.idle_timeout,
        };
        let observer = QueueObserver {
            inbox: Rc::clone(&inbox),
            last_id: None,
        };
        let output = Rc::clone(&inbox);
        let engine = async move {
            if let Err(error) = run(config, observer).await {
                output.borrow_mut().push(Err(error));
            }
        };
        EventStream {
            inbox,
            engine: Some(Box::pin(engine)),
        }
    }
}

/// A stream that falls this far behind (items not yet polled) pauses the reading of the
/// body until it has caught up to half of it: the items waiting stay bounded, and the
/// server is slowed down by the network's own flow control.
const BACKLOG_ITEMS: usize = 1024;
const BACKLOG_BYTES: usize = 1 << 20;

/// What the engine hands the stream: shared between the two, since the body is read
/// outside any poll (see `BodyReader::pump`).
#[derive(Default)]
struct Inbox {
    items: VecDeque<Result<Event, Error>>,
    /// The event data waiting in `items`.
    bytes: usize,
    /// The task waiting for the stream, to wake when an item arrives.
    waker: Option<Waker>,
    /// While the engine waits for the stream to catch up: what lets it read on.
    drained: Option<js_sys::Function>,
}

impl Inbox {
    fn push(&mut self, item: Result<Event, Error>) {
        if let Ok(Event::Message(message)) = &item {
            self.bytes += message.data.len();
        }
        self.items.push_back(item);
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    fn pop(&mut self) -> Option<Result<Event, Error>> {
        let item = self.items.pop_front()?;
        if let Ok(Event::Message(message)) = &item {
            self.bytes -= message.data.len();
        }
        if self.items.len() <= BACKLOG_ITEMS / 2 && self.bytes <= BACKLOG_BYTES / 2 {
            self.read_on();
        }
        Some(item)
    }

    fn behind(&self) -> bool {
        self.items.len() > BACKLOG_ITEMS || self.bytes > BACKLOG_BYTES
    }

    /// Lets a paused engine read the body again.
    fn read_on(&mut self) {
        if let Some(resolve) = self.drained.take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

/// A stream of events from one event source, reconnecting as its policy says.
///
/// Errors the client retries are yielded and the stream goes on; after an error it does
/// not retry (a fatal status, 204, too many attempts, an abort) the stream ends. The
/// request starts when the stream is first polled; from then on the body is read as it
/// arrives, and its events wait in the stream until they are polled. A stream that is not
/// polled for a while holds at most about a thousand events or a megabyte of data (and
/// one chunk more): past that, no more of the body is read until it has caught up.
#[must_use = "streams do nothing unless polled"]
pub struct EventStream {
    inbox: Rc<RefCell<Inbox>>,
    engine: Option<Pin<Box<dyn Future<Output = ()>>>>,
}

impl Stream for EventStream {
    type Item = Result<Event, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(item) = self.inbox.borrow_mut().pop() {
                return Poll::Ready(Some(item));
            }
            let Some(engine) = self.engine.as_mut() else {
                return Poll::Ready(None);
            };
            match engine.as_mut().poll(cx) {
                Poll::Ready(()) => self.engine = None,
                Poll::Pending => {
                    let mut inbox = self.inbox.borrow_mut();
                    if inbox.items.is_empty() {
                        inbox.waker = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                }
            }
        }
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        // The body pump, in JavaScript, may be waiting for this stream: let it go on to
        // find its reader cancelled, rather than wait for ever.
        if let Ok(mut inbox) = self.inbox.try_borrow_mut() {
            inbox.read_on();
        }
    }
}

struct QueueObserver {
    inbox: Rc<RefCell<Inbox>>,
    /// The last event ID of the latest event queued, which the next ones share.
    last_id: Option<Arc<str>>,
}

impl Observer for QueueObserver {
    fn open(&mut self, _response: &Response) {
        self.inbox.borrow_mut().push(Ok(Event::Open));
    }

    fn item(&mut self, item: ItemRef<'_>, same_id: bool) {
        if let ItemRef::Event { .. } = item {
            // Events with the same last event ID share it: a long ID is held once.
            if let Item::Event(event) = item.to_shared_item(same_id, &mut self.last_id) {
                self.inbox.borrow_mut().push(Ok(Event::Message(event)));
            }
        }
    }

    fn chunk_done(&mut self, _last_event_id: &str) -> Result<(), Error> {
        Ok(())
    }

    fn failed(&mut self, error: &Error, decision: Decision) -> Decision {
        // Terminal errors are yielded once, when the engine returns them.
        if let Decision::Reconnect { .. } = decision {
            self.inbox.borrow_mut().push(Err(error.clone()));
        }
        decision
    }

    fn backlog(&mut self) -> Option<js_sys::Promise> {
        let mut inbox = self.inbox.borrow_mut();
        if !inbox.behind() {
            return None;
        }
        inbox.read_on(); // a pause still pending is replaced by this one
        let mut drained = None;
        let promise = js_sys::Promise::new(&mut |resolve, _| drained = Some(resolve));
        inbox.drained = drained;
        Some(promise)
    }
}

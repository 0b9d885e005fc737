//! The connection engine: the spec's EventSource processing model, over `fetch`.
//!
//! One loop per event source: send the request, check the response, feed the body to
//! the parser, and when the connection ends ask the retry policy what to do. The public
//! APIs (the Rust stream, the JavaScript classes) differ only in their [`Observer`].

use super::abort::{aborted, AbortGuard};
use super::body::BodyReader;
use super::request::{received, Requester};
use super::sys::{future, is_offline, now_ms, random};
use super::timer::{Delay, LONGEST_WAIT};
use crate::error::Error;
use crate::parser::{ItemRef, Parser, ParserOptions};
use crate::retry::{Decision, Failure, RetryPolicy, RetryState};
use crate::state::{classify, retry_after_ms, Verdict};
use futures_util::future::{select, Either};
use js_sys::{Promise, Uint8Array};
use std::cell::RefCell;
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal, Response};

/// How much of a failed response's body an error keeps.
const ERROR_BODY_LIMIT: usize = 4096;
/// How long a refused response's body is read for its start: what has come by then is
/// reported, so a body that trickles or never ends (a proxy's page, a text stream) does
/// not hold the error back.
const ERROR_BODY_WAIT: u64 = 500;

/// While the browser reports no network, the longest wait for it to report the network
/// back before trying anyway: `navigator.onLine` can be false on a machine whose network
/// works (some VPN and virtual adapters), and a source must not wait for ever then.
const OFFLINE_RECHECK: u64 = 30_000;

/// Everything one event source needs.
pub(crate) struct Config<R> {
    pub(crate) request: R,
    /// A first request already sent, and the controller that aborts it: the JavaScript API
    /// sends it while the wasm is still loading (see `js/engine.js`). The engine's first
    /// connection takes its response rather than sending one.
    pub(crate) early: Option<(AbortController, Promise)>,
    pub(crate) retry: RetryPolicy,
    pub(crate) parser: ParserOptions,
    /// The last event ID string before the first connection.
    pub(crate) last_event_id: String,
    /// Stops everything when it fires; one that has already fired stops before any request.
    pub(crate) signal: Option<AbortSignal>,
    /// The spec reconnects when the body ends; `fetchEventSource` resolves instead.
    pub(crate) reconnect_at_end: bool,
    /// Beyond the spec, opt-in: a connection on which no byte arrives (comments count)
    /// for this many milliseconds is dropped and retried as a network error.
    pub(crate) idle_timeout: Option<u64>,
}

/// What an API layer does with the engine's progress.
pub(crate) trait Observer {
    /// A request is about to be sent: the first, or a reconnect (not an early request,
    /// see [`Config::early`]).
    fn connecting(&mut self) {}

    /// The response headers arrived. A promise returned here replaces the spec's status
    /// and `Content-Type` check (the `onopen` hook of `fetchEventSource`): the connection
    /// opens if it fulfils, and fails, to be retried, if it rejects.
    fn check_response(&mut self, _response: &Response) -> Option<Promise> {
        None
    }

    /// \[spec\] "announce the connection".
    fn open(&mut self, response: &Response);

    /// An item parsed from the current chunk, in order; borrowed from the parser.
    /// `same_id`: for an event, whether its last event ID is that of the event before it.
    fn item(&mut self, item: ItemRef<'_>, same_id: bool);

    /// The chunk's items are all out; `last_event_id` is the last event ID string after
    /// them, which a block with only an `id:` field changes without an item. An error
    /// (a callback threw) fails the connection, to be retried.
    fn chunk_done(&mut self, last_event_id: &str) -> Result<(), Error>;

    /// A connection failed with `error`; `decision` is what the retry policy chose. The
    /// returned decision is followed (a hook may change the delay, or stop).
    fn failed(&mut self, error: &Error, decision: Decision) -> Decision;

    /// Asked after each chunk: a promise when the consumer has fallen behind (events it
    /// has not taken yet pile up). No more of the body is read until it settles, so the
    /// backlog stays bounded and the server is slowed down instead; the idle timeout does
    /// not count the wait.
    fn backlog(&mut self) -> Option<Promise> {
        None
    }
}

/// Runs an event source until it stops for good: `Ok` when the body ended and
/// `reconnect_at_end` is off, otherwise the error that stopped it.
pub(crate) async fn run<R: Requester, O: Observer + 'static>(
    mut config: Config<R>,
    observer: O,
) -> Result<(), Error> {
    let Some(signal) = config.signal.take() else {
        return Engine::new(config, observer).run().await;
    };
    if signal.aborted() {
        return Err(Error::Aborted);
    }
    let engine = pin!(Engine::new(config, observer).run());
    let abort = pin!(aborted(signal));
    match select(engine, abort).await {
        Either::Left((result, _)) => result,
        // Dropping the engine here aborts its fetch and clears any reconnect timer.
        Either::Right(((), _)) => Err(Error::Aborted),
    }
}

/// A future behind a pointer, polled through a vtable: its state machine becomes a wasm
/// function of its own instead of being inlined into its caller's. V8 compiles each wasm
/// function when it is first called, and the time grows faster than the function: the
/// engine's future, all inlined, was one 16.7 KB function that took 2–8 ms to compile on a
/// page's first connection. Split at these points, the parts a first connection does not
/// reach (the reconnect delay, the idle timer, a failed response's body) are not compiled
/// before the first event, and the rest compiles in smaller pieces.
type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A connection that ended: the error, and the failure to put to the retry policy
/// (`None` means: fail the connection, no reconnect).
type Ended = (Error, Option<Failure>);

fn disconnected(error: Error) -> Ended {
    (error, Some(Failure::Disconnected))
}

/// What a connection's chunks change: shared between the engine and the function that
/// the body pump calls with each chunk (see [`BodyReader::pump`]).
struct Stream<O> {
    observer: O,
    parser: Parser,
    retry: RetryState,
    chunk: Vec<u8>,
    /// When the last chunk arrived (`Date.now()`), for the idle timeout.
    last_activity: f64,
    /// Whether there is an idle timeout to keep `last_activity` for: reading the clock
    /// is a call into JavaScript, not worth making on every chunk for nothing.
    watch_activity: bool,
    /// Why the pump was told to stop, for the engine to report.
    stopped: Option<Ended>,
    /// While the pump waits for the observer's backlog to shrink (see
    /// [`Observer::backlog`]), which pause this is and the promise it waits on: not
    /// reading then is not the server's silence.
    paused: Option<(u32, Promise)>,
    /// How many pauses so far.
    pauses: u32,
}

impl<O: Observer> Stream<O> {
    /// Parses `chunk` (the end of the body when `None`) and hands the items to the
    /// observer.
    fn feed(&mut self, chunk: Option<&Uint8Array>) -> Result<(), Ended> {
        if chunk.is_some() && self.watch_activity {
            self.last_activity = now_ms();
        }
        let Stream {
            observer,
            parser,
            retry,
            chunk: buffer,
            ..
        } = self;
        let on_item = |item: ItemRef<'_>, same_id| {
            match item {
                ItemRef::Retry(ms) => retry.set_reconnection_time(ms),
                ItemRef::Event { .. } => retry.event_received(),
                ItemRef::Comment(_) => {}
            }
            observer.item(item, same_id);
        };
        let parsed = match chunk {
            Some(chunk) => {
                // One copy, straight from the chunk into wasm memory. The buffer only
                // grows (its capacity never shrinks anyway), so it is zero-filled once
                // rather than before every chunk.
                let len = chunk.length() as usize;
                if buffer.len() < len {
                    buffer.resize(len, 0);
                }
                let bytes = buffer.get_mut(..len).unwrap_or_default();
                chunk.copy_to(bytes);
                parser.feed_marked(bytes, on_item)
            }
            None => parser.finish_marked(on_item),
        };
        // Items before a parse error are still delivered, then the error fails the
        // connection: a stream past its limits will not get better on a retry.
        observer
            .chunk_done(parser.last_event_id())
            .map_err(disconnected)?;
        parsed.map_err(|e| (Error::Parse(e), None))
    }
}

struct Engine<R, O> {
    config: Config<R>,
    /// Taken by the first connection (see [`Config::early`]).
    early: RefCell<Option<(AbortController, Promise)>>,
    stream: Rc<RefCell<Stream<O>>>,
}

impl<R: Requester, O: Observer + 'static> Engine<R, O> {
    fn new(mut config: Config<R>, observer: O) -> Self {
        let mut parser = Parser::with_options(config.parser.clone());
        // A caller's ID with U+0000 is refused, as the parser refuses such an `id:` field.
        parser.set_last_event_id(&config.last_event_id);
        let stream = Stream {
            observer,
            parser,
            retry: RetryState::new(&config.retry),
            chunk: Vec::new(),
            last_activity: 0.0,
            watch_activity: config.idle_timeout.is_some(),
            stopped: None,
            paused: None,
            pauses: 0,
        };
        Engine {
            early: RefCell::new(config.early.take()),
            config,
            stream: Rc::new(RefCell::new(stream)),
        }
    }

    async fn run(self) -> Result<(), Error> {
        loop {
            let connection: Boxed<'_, _> = Box::pin(self.connect());
            let (error, failure) = match connection.await {
                Ok(()) => return Ok(()),
                Err(ended) => ended,
            };
            let delay = self.after_failure(error, failure)?;
            let delay: Boxed<'_, ()> = Box::pin(self.wait_to_reconnect(delay));
            delay.await;
        }
    }

    /// \[spec\] "Wait a delay equal to the reconnection time of the event source.
    /// Optionally, wait some more. … if the operating system has reported that there is
    /// no network connectivity, user agents might wait for the operating system to
    /// announce that the network connection has returned before retrying."
    async fn wait_to_reconnect(&self, delay: u64) {
        Delay::new(delay).await;
        if self.offline() {
            Delay::until_online(OFFLINE_RECHECK).await;
        }
    }

    /// Whether the browser reports no network, and the policy waits for it then.
    fn offline(&self) -> bool {
        self.config.retry.wait_for_online && is_offline()
    }

    /// Resolves once `ms` pass with no chunk arriving, not counting waits for the
    /// observer's backlog.
    async fn idle(&self, ms: u64) {
        let mut waited = 0;
        loop {
            let (quiet, paused) = {
                let stream = self.stream.borrow();
                (now_ms() - stream.last_activity, stream.paused.clone())
            };
            // While the consumer is behind, nothing is read: the count starts again when
            // reading resumes.
            if let Some((pause, drained)) = paused.filter(|(pause, _)| *pause != waited) {
                waited = pause;
                let _ = future(&drained).await;
                self.stream.borrow_mut().last_activity = now_ms();
                continue;
            }
            if quiet >= ms as f64 {
                return;
            }
            Delay::new((ms as f64 - quiet).ceil() as u64).await;
        }
    }

    /// Asks the retry policy and the observer what a failed connection leads to: the
    /// delay before reconnecting, or the error that ends the source. Kept out of line, like
    /// the futures split off as [`Boxed`]: a first connection does not get here.
    #[inline(never)]
    fn after_failure(&self, error: Error, failure: Option<Failure>) -> Result<u64, Error> {
        // No borrow of the stream is held across an await, so none is live here.
        let mut stream = self.stream.borrow_mut();
        let failure = match failure {
            // A connection lost while the browser reports no network is not counted as
            // an attempt (see `Failure::Offline`).
            Some(Failure::Disconnected) if self.offline() => Some(Failure::Offline),
            other => other,
        };
        let decision = match failure {
            Some(failure) => {
                self.config
                    .retry
                    .decide(&mut stream.retry, failure, now_ms(), random())
            }
            None => Decision::Fail,
        };
        // The wait a timer can make, so that what is reported (`retryIn`) is what happens.
        let decision = match decision {
            Decision::Reconnect { delay, attempt } => Decision::Reconnect {
                delay: delay.min(LONGEST_WAIT),
                attempt,
            },
            other => other,
        };
        let error = match decision {
            Decision::GiveUp { attempts } => Error::RetriesExhausted {
                attempts,
                last: Box::new(error),
            },
            _ => error,
        };
        match stream.observer.failed(&error, decision) {
            // [spec] "reestablish the connection": wait the delay, then connect again
            // with the same parser state except the half-built event.
            Decision::Reconnect { delay, .. } => {
                stream.parser.reset();
                Ok(delay)
            }
            // [spec] "fail the connection".
            Decision::Fail | Decision::GiveUp { .. } => Err(error),
        }
    }

    /// One connection, from request to the end of its body.
    async fn connect(&self) -> Result<(), Ended> {
        let early = self.early.borrow_mut().take();
        let last_event_id = {
            let mut stream = self.stream.borrow_mut();
            // An early request was announced by whoever sent it.
            if early.is_none() {
                stream.observer.connecting();
            }
            stream.parser.last_event_id().to_owned()
        };
        let (guard, early) = match early {
            Some((controller, response)) => (AbortGuard::adopt(controller), Some(response)),
            None => (AbortGuard::new(), None),
        };
        let signal = guard.signal();
        let sent: Boxed<'_, _> = match &early {
            Some(response) => Box::pin(received(response)),
            None => Box::pin(self.config.request.send(&last_event_id, &signal)),
        };
        let sent = match self.config.idle_timeout {
            None => sent.await,
            // The idle timeout also bounds the wait for the response: a server or proxy
            // that takes the request and never answers is dropped and retried like one
            // that falls silent. Returning drops the request, whose guard aborts it.
            Some(ms) => match select(sent, Delay::new(ms)).await {
                Either::Left((sent, _)) => sent,
                Either::Right(((), _)) => return Err(disconnected(Error::IdleTimeout { ms })),
            },
        };
        let response = sent.map_err(|e| match e {
            // [spec] "if res is a network error, then reestablish the connection".
            Error::Network { .. } => disconnected(e),
            _ => (e, None),
        })?;
        let hook = self.stream.borrow_mut().observer.check_response(&response);
        match hook {
            Some(check) => {
                future(&check)
                    .await
                    .map_err(|thrown| disconnected(callback_error(&thrown)))?;
            }
            None => {
                let verdict = check(&response);
                if verdict != Verdict::Open {
                    let refused: Boxed<'_, _> = Box::pin(refusal(&response, verdict));
                    return Err(refused.await);
                }
            }
        }
        // [spec] "announce the connection"
        {
            let mut stream = self.stream.borrow_mut();
            stream.retry.opened(now_ms());
            stream.observer.open(&response);
        }
        let mut body = BodyReader::new(&response).map_err(disconnected)?;
        let shared = Rc::clone(&self.stream);
        let sink = Closure::<dyn FnMut(Uint8Array) -> JsValue>::new(move |chunk: Uint8Array| {
            // Only the pump calls this, while the engine awaits it: never borrowed here.
            let Ok(mut stream) = shared.try_borrow_mut() else {
                return JsValue::FALSE;
            };
            stream.paused = None;
            if let Err(ended) = stream.feed(Some(&chunk)) {
                stream.stopped = Some(ended);
                return JsValue::FALSE;
            }
            let Some(drained) = stream.observer.backlog() else {
                return JsValue::TRUE;
            };
            stream.pauses += 1;
            stream.paused = Some((stream.pauses, drained.clone()));
            drained.into()
        });
        self.stream.borrow_mut().last_activity = now_ms();
        let pumped = body.pump(sink.as_ref().unchecked_ref());
        let ended = match self.config.idle_timeout {
            None => pumped.await,
            Some(ms) => {
                match select(pin!(pumped), Box::pin(self.idle(ms)) as Boxed<'_, ()>).await {
                    Either::Left((ended, _)) => ended,
                    // Returning drops the pump and the body reader, which cancels the stream
                    // and so closes the connection.
                    Either::Right(((), _)) => return Err(disconnected(Error::IdleTimeout { ms })),
                }
            }
        }
        .map_err(disconnected)?;
        let mut stream = self.stream.borrow_mut();
        if !ended {
            let unexplained = (
                Error::Network {
                    message: String::new(),
                },
                None,
            );
            return Err(stream.stopped.take().unwrap_or(unexplained));
        }
        stream.feed(None)?;
        if self.config.reconnect_at_end {
            // [spec] "When a user agent is to reestablish the connection": the end of
            // the body is not an error, but the client reconnects all the same.
            Err(disconnected(Error::EndOfStream))
        } else {
            Ok(())
        }
    }
}

/// The spec's check of the response: status 200 and `text/event-stream` open the
/// connection ([`Verdict::Open`]); anything else fails it (see [`refusal`]).
fn check(response: &Response) -> Verdict {
    let content_type = response.headers().get("content-type").ok().flatten();
    classify(response.status(), content_type.as_deref())
}

/// Why a response that did not open the connection failed it: the status, the type and
/// the body's start. Its own future (see [`Boxed`]), compiled only when a response is refused.
async fn refusal(response: &Response, verdict: Verdict) -> Ended {
    let status = response.status();
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let content_type = header("content-type");
    if verdict == Verdict::NoContent {
        return (Error::NoContent, None);
    }
    let body = match BodyReader::new(response) {
        Ok(reader) => reader.read_start(ERROR_BODY_LIMIT, ERROR_BODY_WAIT).await,
        Err(_) => String::new(),
    };
    if verdict == Verdict::BadStatus {
        let retry_after = header("retry-after").and_then(|v| retry_after_ms(&v, now_ms()));
        (
            Error::Status {
                status,
                content_type,
                body,
            },
            Some(Failure::Status {
                status,
                retry_after,
            }),
        )
    } else {
        (
            Error::ContentType {
                status,
                content_type,
                body,
            },
            None,
        )
    }
}

/// An error for a callback that threw `thrown`.
pub(crate) fn callback_error(thrown: &JsValue) -> Error {
    Error::Callback {
        message: super::sys::describe(thrown),
    }
}

//! The client's errors: typed, with the HTTP status and a machine-readable reason.

use crate::parser::ParseError;
use crate::state::is_transient_status;

/// Why a connection failed or the client stopped.
///
/// [`Error::is_retryable`] says whether trying again may help; whether the client does
/// retry is the [`RetryPolicy`](crate::retry::RetryPolicy)'s decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request failed before a response arrived, or the body broke off (offline,
    /// DNS, connection reset, CORS refusal).
    #[error("network error{}", network_detail(.message))]
    Network {
        /// What the browser said.
        message: String,
    },
    /// The server ended the body. \[spec\] "reestablish the connection".
    #[error("the server closed the stream")]
    EndOfStream,
    /// Nothing arrived for the configured idle timeout (a half-open connection, or a proxy
    /// that hangs); the connection is dropped and retried like a network error.
    #[error("no data for {ms} ms: the connection looks dead")]
    IdleTimeout {
        /// The idle timeout, in milliseconds.
        ms: u64,
    },
    /// A status other than 200 and 204.
    #[error("the server answered HTTP {status}; an event stream needs 200")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The response's `Content-Type`, if it had one.
        content_type: Option<String>,
        /// The start of the response body (at most 4 KiB), to show what went wrong.
        body: String,
    },
    /// Status 200, but the response is not `text/event-stream`.
    #[error("the server answered with Content-Type {}; an event stream needs text/event-stream", .content_type.as_deref().unwrap_or("(none)"))]
    ContentType {
        /// The HTTP status.
        status: u16,
        /// The response's `Content-Type`, if it had one.
        content_type: Option<String>,
        /// The start of the response body (at most 4 KiB).
        body: String,
    },
    /// 204 No Content: the server told the client to stop reconnecting.
    #[error("the server answered 204 No Content: no more events")]
    NoContent,
    /// The stream broke a limit of the parser.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Stopped through the abort signal.
    #[error("aborted")]
    Aborted,
    /// The retry policy's maximum number of attempts was reached.
    #[error("gave up after {attempts} reconnection attempts; last error: {last}")]
    RetriesExhausted {
        /// How many reconnections were attempted.
        attempts: u32,
        /// The error of the last attempt.
        #[source]
        last: Box<Error>,
    },
    /// The request could not be built: a headers or body function failed, or the
    /// options are invalid.
    #[error("invalid request: {message}")]
    Request {
        /// What was wrong.
        message: String,
    },
    /// An application callback failed (used by the JavaScript API's hooks).
    #[error("callback failed: {message}")]
    Callback {
        /// What it threw.
        message: String,
    },
}

impl Error {
    /// The HTTP status behind the error, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } | Error::ContentType { status, .. } => Some(*status),
            Error::NoContent => Some(204),
            Error::RetriesExhausted { last, .. } => last.status(),
            _ => None,
        }
    }

    /// Whether trying again may succeed: network errors, the end of the stream, and
    /// transient statuses (408, 425, 429, most 5xx).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Network { .. } | Error::EndOfStream | Error::IdleTimeout { .. } => true,
            Error::Status { status, .. } => is_transient_status(*status),
            _ => false,
        }
    }

    /// A stable, machine-readable name for the error, as JavaScript sees it in `reason`.
    pub fn reason(&self) -> &'static str {
        match self {
            Error::Network { .. } => "network",
            Error::EndOfStream => "end_of_stream",
            Error::IdleTimeout { .. } => "idle_timeout",
            Error::Status { .. } => "status",
            Error::ContentType { .. } => "content_type",
            Error::NoContent => "no_content",
            Error::Parse(e) => e.reason(),
            Error::Aborted => "aborted",
            Error::RetriesExhausted { .. } => "max_retries",
            Error::Request { .. } => "request",
            Error::Callback { .. } => "callback",
        }
    }
}

/// `": <what the browser said>"`, or nothing when that adds no news: Chromium reports a
/// body that broke off as just "network error", which would read "network error: network error".
fn network_detail(message: &str) -> String {
    let message = message.trim();
    if message.is_empty() || message.eq_ignore_ascii_case("network error") {
        String::new()
    } else {
        format!(": {message}")
    }
}

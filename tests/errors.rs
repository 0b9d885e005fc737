//! The client's errors: the status behind each, whether a retry may help, the stable
//! `reason` names and the messages.
#![cfg(not(target_arch = "wasm32"))]

use wasm_sse::parser::ParseError;
use wasm_sse::Error;

fn network() -> Error {
    Error::Network {
        message: "Failed to fetch".into(),
    }
}

fn status(status: u16) -> Error {
    Error::Status {
        status,
        content_type: Some("text/html".into()),
        body: "<h1>Unavailable</h1>".into(),
    }
}

fn content_type(content_type: Option<&str>) -> Error {
    Error::ContentType {
        status: 200,
        content_type: content_type.map(String::from),
        body: "{}".into(),
    }
}

fn too_large() -> Error {
    Error::Parse(ParseError::EventTooLarge { limit: 1024 })
}

fn exhausted(last: Error) -> Error {
    Error::RetriesExhausted {
        attempts: 3,
        last: Box::new(last),
    }
}

fn request() -> Error {
    Error::Request {
        message: "headers() threw".into(),
    }
}

fn callback() -> Error {
    Error::Callback {
        message: "onopen threw".into(),
    }
}

#[test]
fn both_paths_name_the_same_type() {
    fn takes(error: wasm_sse::error::Error) -> wasm_sse::Error {
        error
    }
    assert_eq!(takes(Error::Aborted), wasm_sse::error::Error::Aborted);
}

#[test]
fn status_table() {
    let table: Vec<(Error, Option<u16>)> = vec![
        (network(), None),
        (Error::EndOfStream, None),
        (Error::IdleTimeout { ms: 45_000 }, None),
        (status(503), Some(503)),
        (status(404), Some(404)),
        (content_type(Some("text/html")), Some(200)),
        (
            Error::ContentType {
                status: 299,
                content_type: None,
                body: String::new(),
            },
            Some(299),
        ),
        (Error::NoContent, Some(204)),
        (too_large(), None),
        (Error::Aborted, None),
        (exhausted(status(502)), Some(502)),
        (exhausted(Error::NoContent), Some(204)),
        (exhausted(network()), None),
        (exhausted(exhausted(status(429))), Some(429)),
        (request(), None),
        (callback(), None),
    ];
    for (error, expected) in table {
        assert_eq!(error.status(), expected, "{error:?}");
    }
}

#[test]
fn is_retryable_table() {
    let table: Vec<(Error, bool)> = vec![
        (network(), true),
        (Error::EndOfStream, true),
        (Error::IdleTimeout { ms: 45_000 }, true),
        (status(408), true),
        (status(425), true),
        (status(429), true),
        (status(500), true),
        (status(502), true),
        (status(503), true),
        (status(504), true),
        (status(400), false),
        (status(401), false),
        (status(403), false),
        (status(404), false),
        (status(501), false),
        (status(505), false),
        (content_type(Some("text/html")), false),
        (content_type(None), false),
        (Error::NoContent, false),
        (Error::Aborted, false),
        (too_large(), false),
        (exhausted(network()), false),
        (exhausted(status(503)), false),
        (request(), false),
        (callback(), false),
    ];
    for (error, expected) in table {
        assert_eq!(error.is_retryable(), expected, "{error:?}");
    }
}

#[test]
fn reason_table() {
    let table: Vec<(Error, &str)> = vec![
        (network(), "network"),
        (Error::EndOfStream, "end_of_stream"),
        (Error::IdleTimeout { ms: 45_000 }, "idle_timeout"),
        (status(503), "status"),
        (content_type(None), "content_type"),
        (Error::NoContent, "no_content"),
        (too_large(), "event_too_large"),
        (Error::Aborted, "aborted"),
        (exhausted(status(503)), "max_retries"),
        (exhausted(network()), "max_retries"),
        (request(), "request"),
        (callback(), "callback"),
    ];
    for (error, expected) in table {
        assert_eq!(error.reason(), expected, "{error:?}");
    }
    assert_eq!(
        ParseError::EventTooLarge { limit: 1 }.reason(),
        "event_too_large"
    );
}

#[test]
fn display_table() {
    let table: Vec<(Error, &str)> = vec![
        (network(), "network error: Failed to fetch"),
        // Chromium's whole message for a body that broke off: not said twice.
        (
            Error::Network {
                message: "network error".into(),
            },
            "network error",
        ),
        (
            Error::Network {
                message: String::new(),
            },
            "network error",
        ),
        (Error::EndOfStream, "the server closed the stream"),
        (
            Error::IdleTimeout { ms: 45_000 },
            "no data for 45000 ms: the connection looks dead",
        ),
        (
            status(503),
            "the server answered HTTP 503; an event stream needs 200",
        ),
        (
            content_type(Some("text/html; charset=utf-8")),
            "the server answered with Content-Type text/html; charset=utf-8; \
             an event stream needs text/event-stream",
        ),
        (
            content_type(None),
            "the server answered with Content-Type (none); \
             an event stream needs text/event-stream",
        ),
        (
            Error::NoContent,
            "the server answered 204 No Content: no more events",
        ),
        (
            too_large(),
            "event stream line or event data exceeds the maximum size of 1024 bytes",
        ),
        (Error::Aborted, "aborted"),
        (
            exhausted(status(502)),
            "gave up after 3 reconnection attempts; \
             last error: the server answered HTTP 502; an event stream needs 200",
        ),
        (request(), "invalid request: headers() threw"),
        (callback(), "callback failed: onopen threw"),
    ];
    for (error, expected) in table {
        assert_eq!(error.to_string(), expected, "{error:?}");
    }
}

#[test]
fn display_mentions_status_and_type() {
    let message = status(418).to_string();
    assert!(message.contains("418"), "{message}");
    let message = content_type(Some("application/json")).to_string();
    assert!(message.contains("application/json"), "{message}");
    let message = content_type(None).to_string();
    assert!(message.contains("(none)"), "{message}");
    // The body is kept for callers but stays out of the message.
    let message = status(500).to_string();
    assert!(!message.contains("Unavailable"), "{message}");
}

#[test]
fn parse_errors_convert() {
    let error: Error = ParseError::EventTooLarge { limit: 7 }.into();
    assert_eq!(error, Error::Parse(ParseError::EventTooLarge { limit: 7 }));
    assert_eq!(error.reason(), "event_too_large");
    assert_eq!(error.status(), None);
    assert!(!error.is_retryable());
}

#[test]
fn errors_compare_and_clone() {
    let error = exhausted(status(503));
    assert_eq!(error.clone(), error);
    assert_ne!(status(503), status(504));
    assert_ne!(content_type(Some("text/html")), content_type(None));
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(error);
    assert_eq!(
        boxed.to_string(),
        "gave up after 3 reconnection attempts; \
         last error: the server answered HTTP 503; an event stream needs 200"
    );
}

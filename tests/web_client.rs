//! The Rust API (`wasm_sse::client`) in a real browser against the local test server
//! (scripts/sse-server.mjs), whose URL `npm test` passes in `WASM_SSE_TEST_SERVER` when
//! it builds this test.
#![cfg(target_arch = "wasm32")]

use futures_util::StreamExt;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_sse::client::{Event, EventSource, EventStream};
use wasm_sse::retry::{Backoff, RetryPolicy};
use wasm_sse::Error;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/support/server.js")]
extern "C" {
    #[wasm_bindgen(js_name = serverLog)]
    fn server_log_json(origin: &str, key: &str) -> js_sys::Promise;
    fn sleep(ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = uniqueKey)]
    fn unique_key(name: &str) -> String;
}

fn server() -> &'static str {
    // Not `env!`: a plain `cargo test` must still build, and fail here with this message.
    match option_env!("WASM_SSE_TEST_SERVER") {
        Some(url) => url,
        None => panic!("WASM_SSE_TEST_SERVER is unset: run these tests through `npm test`"),
    }
}

fn url(path: &str, key: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{}{path}{sep}key={key}", server())
}

async fn wait(ms: u32) {
    JsFuture::from(sleep(ms)).await.unwrap();
}

/// The requests the server saw for `key`.
async fn log(key: &str) -> Vec<Value> {
    let json = JsFuture::from(server_log_json(server(), key))
        .await
        .unwrap();
    serde_json::from_str(&json.as_string().unwrap()).unwrap()
}

/// Polls the log until every request of `key` is closed, for up to 3 s.
async fn all_closed(key: &str) -> bool {
    for _ in 0..60 {
        let entries = log(key).await;
        if !entries.is_empty() && entries.iter().all(|e| !e["closedAt"].is_null()) {
            return true;
        }
        wait(50).await;
    }
    false
}

/// The next message, skipping `Open`; panics on an error or the end.
async fn next_message(stream: &mut EventStream) -> wasm_sse::parser::Event {
    loop {
        match stream.next().await {
            Some(Ok(Event::Open)) => continue,
            Some(Ok(Event::Message(m))) => return m,
            other => panic!("expected a message, got {other:?}"),
        }
    }
}

/// Checks that the server saw one request for `key`, and that it is closed.
async fn assert_one_request_closed(key: &str) {
    assert!(
        all_closed(key).await,
        "the server still has the stream open"
    );
    assert_eq!(log(key).await.len(), 1);
}

/// The next message's data.
async fn next_data(stream: &mut EventStream) -> String {
    next_message(stream).await.data
}

#[wasm_bindgen_test]
async fn posts_json_with_authorization_and_reads_the_echo() {
    let key = unique_key("rust-post");
    let mut stream = EventSource::builder(url("/sse/echo?end=1", &key))
        .method("POST")
        .header("Authorization", "Bearer rust-token")
        .json(&serde_json::json!({ "prompt": "hi", "n": 2 }))
        .connect();
    assert_eq!(stream.next().await, Some(Ok(Event::Open)));
    let Some(Ok(Event::Message(message))) = stream.next().await else {
        panic!("expected the echo event");
    };
    assert_eq!(message.dispatch_type(), "request");
    let echo: Value = serde_json::from_str(&message.data).unwrap();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["headers"]["authorization"], "Bearer rust-token");
    assert_eq!(echo["headers"]["content-type"], "application/json");
    assert_eq!(echo["headers"]["accept"], "text/event-stream");
    let body: Value = serde_json::from_str(echo["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, serde_json::json!({ "prompt": "hi", "n": 2 }));
    drop(stream);
    assert_eq!(log(&key).await.len(), 1);
}

#[wasm_bindgen_test]
async fn named_events_keep_their_type_and_last_event_id() {
    let key = unique_key("rust-named");
    let mut stream = EventSource::builder(url("/sse/named", &key)).connect();
    let mut seen = Vec::new();
    while seen.len() < 5 {
        if let Some(Ok(Event::Message(m))) = stream.next().await {
            seen.push((
                m.dispatch_type().to_owned(),
                m.data,
                m.last_event_id.to_string(),
            ));
        }
    }
    let expected = [
        ("message", "unnamed one", "1"),
        ("ping", "named ping", "2"),
        ("message", "explicitly message", "2"),
        ("update", "{\"n\":3}", "2"),
        ("message", "unnamed two", "2"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(t, d, i)| (t.to_string(), d.to_string(), i.to_string()))
        .collect();
    assert_eq!(seen, expected);
    // Dropping the stream aborts the request: the server sees the connection close.
    drop(stream);
    assert!(
        all_closed(&key).await,
        "the server still has the stream open"
    );
}

#[wasm_bindgen_test]
async fn reconnects_with_last_event_id_without_loss_or_duplicates() {
    let key = unique_key("rust-resume");
    let mut stream =
        EventSource::builder(url("/sse/resume?total=6&dropAfter=3&retry=50", &key)).connect();
    let mut data = Vec::new();
    let mut errors = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(Event::Message(m)) => data.push(m.data),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(data, ["1", "2", "3", "4", "5", "6"]);
    // A dropped connection after 3, the clean end after 6, then 204.
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[..2].iter().all(Error::is_retryable), "{errors:?}");
    assert_eq!(errors[2], Error::NoContent);
    let ids: Vec<Value> = log(&key)
        .await
        .iter()
        .map(|e| e["lastEventId"].clone())
        .collect();
    assert_eq!(ids, [Value::Null, "3".into(), "6".into()]);
}

#[wasm_bindgen_test]
async fn a_500_ends_the_stream_with_status_type_and_body() {
    let key = unique_key("rust-500");
    let mut stream = EventSource::builder(url("/sse/status?code=500", &key)).connect();
    let Some(Err(error)) = stream.next().await else {
        panic!("expected an error");
    };
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.reason(), "status");
    match &error {
        Error::Status {
            content_type, body, ..
        } => {
            assert!(content_type
                .as_deref()
                .unwrap_or("")
                .starts_with("text/html"));
            assert_eq!(body, "<h1>Server error</h1>");
        }
        other => panic!("expected Error::Status, got {other:?}"),
    }
    assert_eq!(stream.next().await, None);
    wait(200).await;
    assert_eq!(
        log(&key).await.len(),
        1,
        "a fatal status must not reconnect"
    );
}

#[wasm_bindgen_test]
async fn retried_statuses_back_off_then_give_up() {
    let key = unique_key("rust-backoff");
    let backoff = Backoff::default().jitter(0.0).max_delay(80);
    let policy = RetryPolicy::spec()
        .reconnection_time(20)
        .backoff(backoff)
        .retry_statuses([503])
        .max_attempts(3);
    let mut stream = EventSource::builder(url("/sse/status?code=503", &key))
        .retry(policy)
        .connect();
    let mut errors = Vec::new();
    while let Some(item) = stream.next().await {
        errors.push(item.expect_err("only errors are expected"));
    }
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors[..3].iter().all(|e| e.status() == Some(503)));
    assert!(matches!(
        errors[3],
        Error::RetriesExhausted { attempts: 3, .. }
    ));
    let times: Vec<f64> = log(&key)
        .await
        .iter()
        .map(|e| e["at"].as_f64().unwrap())
        .collect();
    assert_eq!(times.len(), 4);
    // Delays 20, 40, 80 ms (the cap): each gap at least its delay.
    for (gap, delay) in times
        .windows(2)
        .map(|w| w[1] - w[0])
        .zip([20.0, 40.0, 80.0])
    {
        assert!(gap >= delay - 5.0, "gap {gap} ms before a {delay} ms delay");
    }
}

#[wasm_bindgen_test]
async fn headers_function_runs_for_every_connection() {
    let key = unique_key("rust-token");
    let count = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = count.clone();
    let mut stream = EventSource::builder(url("/sse/token", &key))
        .headers_with(move || {
            counter.set(counter.get() + 1);
            vec![("Authorization".into(), format!("Bearer {}", counter.get()))]
        })
        .retry(RetryPolicy::spec().reconnection_time(20))
        .connect();
    assert_eq!(next_data(&mut stream).await, "Bearer 1");
    assert!(matches!(stream.next().await, Some(Err(Error::EndOfStream))));
    assert_eq!(next_data(&mut stream).await, "Bearer 2");
    assert_eq!(count.get(), 2);
}

#[wasm_bindgen_test]
async fn an_abort_signal_stops_the_stream_and_the_request() {
    let key = unique_key("rust-abort");
    let controller = web_sys::AbortController::new().unwrap();
    let mut stream = EventSource::builder(url("/sse/forever?interval=20", &key))
        .signal(&controller.signal())
        .connect();
    assert_eq!(next_data(&mut stream).await, "tick 1");
    controller.abort();
    // Anything already queued may still come out; then the abort, then the end.
    let mut rest = Vec::new();
    while let Some(item) = stream.next().await {
        rest.push(item);
    }
    assert_eq!(rest.last(), Some(&Err(Error::Aborted)));
    assert_one_request_closed(&key).await;
}

#[wasm_bindgen_test]
async fn an_already_aborted_signal_sends_nothing() {
    let key = unique_key("rust-pre-abort");
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let mut stream = EventSource::builder(url("/sse/forever", &key))
        .signal(&controller.signal())
        .connect();
    assert_eq!(stream.next().await, Some(Err(Error::Aborted)));
    assert_eq!(stream.next().await, None);
    wait(200).await;
    assert!(log(&key).await.is_empty());
}

#[wasm_bindgen_test]
async fn dropping_during_a_pending_reconnect_cancels_it() {
    let key = unique_key("rust-drop-pending");
    let mut stream = EventSource::builder(url("/sse/end?count=1", &key))
        .retry(RetryPolicy::spec().reconnection_time(300))
        .connect();
    assert_eq!(next_data(&mut stream).await, "event 1");
    assert!(matches!(stream.next().await, Some(Err(Error::EndOfStream))));
    // The reconnect timer is pending now; dropping the stream clears it.
    drop(stream);
    wait(600).await;
    assert_eq!(log(&key).await.len(), 1);
}

#[wasm_bindgen_test]
async fn a_non_latin1_last_event_id_is_sent_as_utf8() {
    let key = unique_key("rust-utf8-id");
    let mut stream = EventSource::builder(url("/sse/echo?end=1", &key))
        .last_event_id("é✓😀")
        .connect();
    assert!(!next_data(&mut stream).await.is_empty());
    drop(stream);
    assert_eq!(log(&key).await[0]["lastEventId"], "é✓😀");
}

/// The next message's last event ID as a number.
async fn next_id(stream: &mut EventStream) -> u64 {
    next_message(stream).await.last_event_id.parse().unwrap()
}

#[wasm_bindgen_test]
async fn a_stream_not_polled_pauses_the_reading_of_the_body() {
    // About 58 MiB, far more than the stream holds (about a thousand events or a MiB of
    // data) plus what the socket and the browser buffer on the way.
    const COUNT: u64 = 60_000;
    let total: u64 = (1..=COUNT)
        .map(|i| format!("id: {i}\ndata: \n\n").len() as u64 + 1000)
        .sum();
    let key = unique_key("rust-backpressure");
    let mut stream =
        EventSource::builder(url(&format!("/sse/flood?count={COUNT}&size=1000"), &key)).connect();
    for id in 1..=10 {
        assert_eq!(next_id(&mut stream).await, id);
    }
    // Not polled: without backpressure the whole body is read in well under this.
    wait(1000).await;
    let sent = log(&key).await[0]["sent"].as_u64().unwrap();
    wait(500).await;
    let entry = &log(&key).await[0];
    assert_eq!(entry["finished"], false, "the server got to the end");
    assert_eq!(
        entry["sent"].as_u64(),
        Some(sent),
        "more was sent while the stream waited"
    );
    assert!(
        sent < total / 2,
        "{sent} of {total} bytes sent while the stream waited"
    );
    // Polled again: every event, in order, and the server gets to the end.
    for id in 11..=COUNT {
        assert_eq!(next_id(&mut stream).await, id);
    }
    assert_eq!(log(&key).await[0]["finished"], true);
    drop(stream);
    assert_one_request_closed(&key).await;
}

#[wasm_bindgen_test]
async fn dropping_a_stream_while_the_reading_is_paused_closes_the_connection() {
    let key = unique_key("rust-backpressure-drop");
    let mut stream = EventSource::builder(url("/sse/flood?count=60000&size=1000", &key)).connect();
    assert_eq!(next_id(&mut stream).await, 1);
    wait(1000).await;
    assert_eq!(
        log(&key).await[0]["finished"],
        false,
        "the reading was not paused"
    );
    drop(stream);
    assert_one_request_closed(&key).await;
}

#[wasm_bindgen_test]
async fn events_that_carry_a_long_id_share_it() {
    // A 1 MiB ID, then 14,560 small events that all carry it: copied for each, 14 GiB.
    let key = unique_key("rust-long-id");
    let mut stream = EventSource::builder(url("/sse/long-id?kib=1024&pieces=4", &key))
        .retry(RetryPolicy::spec().max_attempts(0))
        .connect();
    let first = next_message(&mut stream).await;
    assert_eq!(first.last_event_id.len(), 1 << 20);
    let mut count = 1;
    loop {
        let message = next_message(&mut stream).await;
        if message.data == "done" {
            break;
        }
        assert!(std::sync::Arc::ptr_eq(
            &message.last_event_id,
            &first.last_event_id
        ));
        count += 1;
    }
    assert_eq!(count, 4 * 3640);
}

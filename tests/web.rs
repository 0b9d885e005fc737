//! The parser in a real browser: fed from the `ReadableStream` body of a real `Response`.
//! Run by `npm test` (`node scripts/test.mjs wasm`): headless Chromium through
//! wasm-bindgen-test-runner as cargo's runner for wasm32.
#![cfg(target_arch = "wasm32")]

use common::ev as event;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_sse::parser::{Item, ParseError, Parser, ParserOptions};
use web_sys::{ReadableStreamDefaultReader, ReadableStreamReadResult, Response};

mod common;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/support/streams.js")]
extern "C" {
    #[wasm_bindgen(js_name = chunkedResponse)]
    fn chunked_response(chunks: Array) -> Response;
    #[wasm_bindgen(js_name = textResponse)]
    fn text_response(text: &str) -> Response;
}

fn response_of(chunks: &[&[u8]]) -> Response {
    let array = Array::new();
    for chunk in chunks {
        array.push(&Uint8Array::from(*chunk));
    }
    chunked_response(array)
}

/// What reading a whole body through the parser gave.
struct Parsed {
    items: Vec<Item>,
    chunks_read: usize,
    error: Option<ParseError>,
}

async fn parse_body(response: Response, mut parser: Parser) -> Parsed {
    let body = response.body().expect("the response has a body");
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut parsed = Parsed {
        items: Vec::new(),
        chunks_read: 0,
        error: None,
    };
    loop {
        let result: ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .expect("read() resolves")
            .unchecked_into();
        if result.get_done().unwrap_or(false) {
            break;
        }
        let chunk: Uint8Array = result.get_value().unchecked_into();
        parsed.chunks_read += 1;
        if let Err(e) = parser.feed(&chunk.to_vec(), |item| parsed.items.push(item)) {
            parsed.error = Some(e);
            let _ = reader.cancel();
            return parsed;
        }
    }
    parser
        .finish(|item| parsed.items.push(item))
        .expect("finish");
    parsed
}

#[wasm_bindgen_test]
async fn crlf_split_between_two_body_chunks_is_one_line_ending() {
    let chunks: &[&[u8]] = &[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"];
    let parsed = parse_body(response_of(chunks), Parser::new()).await;
    assert_eq!(parsed.chunks_read, chunks.len());
    assert_eq!(parsed.items, vec![event(None, "a\nb", "")]);
}

#[wasm_bindgen_test]
async fn bom_and_a_four_byte_character_split_over_body_chunks() {
    // EF BB BF is the BOM; F0 9F 98 80 is U+1F600.
    let chunks: &[&[u8]] = &[b"\xEF", b"\xBB\xBFdata: \xF0\x9F", b"\x98", b"\x80!\n\n"];
    let parsed = parse_body(response_of(chunks), Parser::new()).await;
    assert_eq!(parsed.chunks_read, chunks.len());
    assert_eq!(parsed.items, vec![event(None, "\u{1F600}!", "")]);
}

#[wasm_bindgen_test]
async fn fields_ids_retry_and_comments_across_chunks() {
    let chunks: &[&[u8]] = &[
        b": hello\n\nid: 1\nevent: up",
        b"date\ndata: {\"n\":1}\n\nretry: 2500\ndata: plain\n",
        b"\nid:\ndata: x\n\n",
    ];
    let parsed = parse_body(response_of(chunks), Parser::new()).await;
    assert_eq!(
        parsed.items,
        vec![
            Item::Comment("hello".into()),
            event(Some("update"), "{\"n\":1}", "1"),
            Item::Retry(2500),
            event(None, "plain", "1"),
            event(None, "x", ""),
        ]
    );
}

#[wasm_bindgen_test]
async fn invalid_utf8_in_a_body_becomes_replacement_characters() {
    let chunks: &[&[u8]] = &[b"data: a\xFF", b"b\xE2\x82\n\n"];
    let parsed = parse_body(response_of(chunks), Parser::new()).await;
    assert_eq!(parsed.items, vec![event(None, "a\u{FFFD}b\u{FFFD}", "")]);
}

#[wasm_bindgen_test]
async fn an_unterminated_event_at_the_end_of_the_body_is_discarded() {
    let parsed = parse_body(text_response("data: done\n\ndata: cut"), Parser::new()).await;
    assert_eq!(parsed.items, vec![event(None, "done", "")]);
}

#[wasm_bindgen_test]
async fn many_events_in_a_body_the_browser_chunks_itself() {
    let mut text = String::new();
    for n in 0..5000 {
        text.push_str(&format!("id: {n}\ndata: event number {n}\n\n"));
    }
    let parsed = parse_body(text_response(&text), Parser::new()).await;
    assert_eq!(parsed.items.len(), 5000);
    assert_eq!(
        parsed.items.last(),
        Some(&event(None, "event number 4999", "4999"))
    );
}

#[wasm_bindgen_test]
async fn a_line_over_the_limit_stops_the_parser_with_a_typed_error() {
    let big = vec![b'x'; 4096];
    let chunks: &[&[u8]] = &[b"data: ok\n\ndata: ", &big, &big, b"\n\n"];
    let parser = Parser::with_options(ParserOptions::default().max_event_size(5000));
    let parsed = parse_body(response_of(chunks), parser).await;
    assert_eq!(parsed.items, vec![event(None, "ok", "")]);
    assert_eq!(
        parsed.error,
        Some(ParseError::EventTooLarge { limit: 5000 })
    );
}

//! Shared helpers for the native parser tests: expectation builders and a harness that
//! feeds one input in many chunkings and insists they all agree.
#![allow(dead_code)]

use wasm_sse::parser::{Event, Item, ParseError, Parser, ParserOptions};

/// An expected event: `ev(None, "data", "")` is a plain `message` without an id.
pub fn ev(event_type: Option<&str>, data: &str, last_event_id: &str) -> Item {
    Item::Event(Event {
        event_type: event_type.map(str::to_owned),
        data: data.to_owned(),
        last_event_id: last_event_id.into(),
    })
}

/// An expected `retry:` item.
pub fn retry(ms: u64) -> Item {
    Item::Retry(ms)
}

/// An expected comment item.
pub fn comment(text: &str) -> Item {
    Item::Comment(text.to_owned())
}

/// Everything one run of a parser over one stream produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Items from every `feed` and from `finish`, in order.
    pub items: Vec<Item>,
    /// The first error `feed` returned (`finish` must then return it too), or else the
    /// error `finish` returned.
    pub error: Option<ParseError>,
    /// `Parser::last_event_id()` after `finish`.
    pub last_event_id: String,
}

/// Feeds `chunks` to a fresh parser, then calls `finish`.
///
/// Also checks the contract around errors (after one, every `feed` returns it again
/// and emits nothing; `finish` returns it) and that `finish` leaves the parser ready
/// for a new stream that keeps the last event ID.
pub fn run_chunks<'a, I>(options: &ParserOptions, chunks: I) -> Outcome
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut parser = Parser::with_options(options.clone());
    let mut items = Vec::new();
    let mut error: Option<ParseError> = None;
    for chunk in chunks {
        let mut emitted = Vec::new();
        let result = parser.feed(chunk, |item| emitted.push(item));
        match (&error, result) {
            (None, Ok(())) => {}
            (None, Err(e)) => error = Some(e),
            (Some(first), result) => {
                assert_eq!(
                    result,
                    Err(first.clone()),
                    "feed after an error must return it again"
                );
                assert!(
                    emitted.is_empty(),
                    "feed after an error must not emit items: {emitted:?}"
                );
            }
        }
        items.extend(emitted);
    }
    let finished = parser.finish(|item| items.push(item));
    match &error {
        Some(first) => assert_eq!(
            finished,
            Err(first.clone()),
            "finish must report the stream's error"
        ),
        // With `dispatch_incomplete_event`, processing the unfinished line can fail.
        None => error = finished.err(),
    }
    let last_event_id = parser.last_event_id().to_owned();

    // `finish` leaves the parser ready for the next stream, keeping the last event ID.
    if options.max_event_size >= 16 {
        let mut after = Vec::new();
        parser
            .feed(b"data:after\n\n", |item| after.push(item))
            .expect("parser usable after finish");
        assert_eq!(
            after,
            vec![ev(None, "after", &last_event_id)],
            "parser state after finish"
        );
    }
    Outcome {
        items,
        error,
        last_event_id,
    }
}

/// Feeds `input` in one chunk.
pub fn run_whole(options: &ParserOptions, input: &[u8]) -> Outcome {
    run_chunks(options, [input])
}

/// Feeds `input` split at the given (sorted, in-range) byte offsets.
pub fn run_split(options: &ParserOptions, input: &[u8], splits: &[usize]) -> Outcome {
    let mut chunks = Vec::with_capacity(splits.len() + 1);
    let mut start = 0;
    for &at in splits {
        chunks.push(&input[start..at]);
        start = at;
    }
    chunks.push(&input[start..]);
    run_chunks(options, chunks)
}

/// Inputs up to this length are also fed split in three at every pair of offsets.
pub const THREE_WAY_MAX_LEN: usize = 64;

/// Feeds `input` whole, one byte at a time, split in two at every offset `0..=len`, and
/// (for short inputs) split in three at every pair of offsets, asserting that every
/// feeding yields the same outcome. Empty chunks are part of this (split at 0, at len,
/// or twice at the same offset). Returns the outcome of the whole feeding.
pub fn check_all_chunkings(options: &ParserOptions, input: &[u8]) -> Outcome {
    let shown = String::from_utf8_lossy(input);
    let whole = run_whole(options, input);

    let bytewise = run_chunks(options, input.chunks(1));
    assert_eq!(
        bytewise, whole,
        "one byte at a time differs from whole, input {shown:?}"
    );

    for i in 0..=input.len() {
        let two = run_split(options, input, &[i]);
        assert_eq!(
            two, whole,
            "split at {i} differs from whole, input {shown:?}"
        );
    }
    if input.len() <= THREE_WAY_MAX_LEN {
        for i in 0..=input.len() {
            for j in i..=input.len() {
                let three = run_split(options, input, &[i, j]);
                assert_eq!(
                    three, whole,
                    "split at {i} and {j} differs from whole, input {shown:?}"
                );
            }
        }
    }
    whole
}

/// With the given options: every chunking of `input` yields exactly `expected` and no error.
pub fn check_opts(options: ParserOptions, input: &[u8], expected: &[Item]) -> Outcome {
    let outcome = check_all_chunkings(&options, input);
    assert_eq!(
        outcome.error,
        None,
        "unexpected error, input {:?}",
        String::from_utf8_lossy(input)
    );
    assert_eq!(
        outcome.items,
        expected,
        "input {:?}",
        String::from_utf8_lossy(input)
    );
    outcome
}

/// With default options: every chunking of `input` yields exactly `expected` and no error.
pub fn check(input: &[u8], expected: &[Item]) -> Outcome {
    check_opts(ParserOptions::default(), input, expected)
}

/// Every chunking of `input` yields exactly `expected` and then fails with `error`.
pub fn check_err(
    options: ParserOptions,
    input: &[u8],
    expected: &[Item],
    error: ParseError,
) -> Outcome {
    let outcome = check_all_chunkings(&options, input);
    assert_eq!(
        outcome.items,
        expected,
        "input {:?}",
        String::from_utf8_lossy(input)
    );
    assert_eq!(
        outcome.error,
        Some(error),
        "input {:?}",
        String::from_utf8_lossy(input)
    );
    outcome
}

/// Feeds each chunk to `parser`, collecting items and panicking on error.
pub fn feed_all(parser: &mut Parser, chunks: &[&[u8]]) -> Vec<Item> {
    let mut items = Vec::new();
    for chunk in chunks {
        parser.feed(chunk, |item| items.push(item)).expect("feed");
    }
    items
}

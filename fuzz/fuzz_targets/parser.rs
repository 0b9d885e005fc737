//! The parser on arbitrary bytes: it must never panic, and what it reports must not depend
//! on how the stream is cut into chunks.
//!
//! The first input byte chooses the options (a small size limit or the default, and
//! whether an unfinished event is dispatched at the end) and seeds the chunking; the rest
//! is the stream, fed once whole and once cut at pseudo-random points.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_sse::parser::{Item, ParseError, Parser, ParserOptions};

/// Everything a run reports: the items, then how it ended.
fn run(options: &ParserOptions, chunks: &[&[u8]]) -> (Vec<Item>, Result<(), ParseError>) {
    let mut parser = Parser::with_options(options.clone());
    let mut items = Vec::new();
    for chunk in chunks {
        if let Err(error) = parser.feed(chunk, |item| items.push(item)) {
            return (items, Err(error));
        }
    }
    let end = parser.finish(|item| items.push(item));
    (items, end)
}

/// Cuts `stream` at points drawn from a small xorshift generator seeded with `seed`.
fn chunked(stream: &[u8], seed: u8) -> Vec<&[u8]> {
    let mut state = u32::from(seed) | 0x9E37_7900;
    let mut chunks = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        // Mostly short chunks (1 to 8 bytes), now and then an empty one.
        let len = (state % 9) as usize;
        let (chunk, tail) = rest.split_at(len.min(rest.len()));
        chunks.push(chunk);
        rest = tail;
    }
    chunks
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, stream)) = input.split_first() else {
        return;
    };
    let mut options = ParserOptions::default().dispatch_incomplete_event(control & 1 == 1);
    if control & 2 == 2 {
        // Small enough that the inputs reach it.
        options = options.max_event_size(usize::from(control >> 2) + 1);
    }
    let whole = run(&options, &[stream]);
    let cut = run(&options, &chunked(stream, control));
    assert_eq!(whole, cut, "chunking changed what the parser reported");
});

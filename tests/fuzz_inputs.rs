//! The fuzz target's inputs replayed natively: the spec cases it is seeded with
//! (fuzz/seeds/) and every input it ever found failing (fuzz/regressions/, kept so the bug
//! stays fixed). Each runs through `check_all_chunkings`, which is stricter than the
//! target: whole, byte by byte, and at every split point.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::check_all_chunkings;
use std::fs;
use std::path::Path;
use wasm_sse::parser::ParserOptions;

/// The options an input's first byte selects, as fuzz/fuzz_targets/parser.rs reads it.
fn options(control: u8) -> ParserOptions {
    let options = ParserOptions::default().dispatch_incomplete_event(control & 1 == 1);
    if control & 2 == 2 {
        options.max_event_size(usize::from(control >> 2) + 1)
    } else {
        options
    }
}

/// Replays every file of `dir`; returns how many there were.
fn replay(dir: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut count = 0;
    for entry in fs::read_dir(&dir).expect("the directory is in the repository") {
        let path = entry.expect("a readable entry").path();
        let input = fs::read(&path).expect("a readable file");
        if let Some((&control, stream)) = input.split_first() {
            check_all_chunkings(&options(control), stream);
            count += 1;
        }
    }
    count
}

#[test]
fn the_seeds_parse_the_same_however_they_are_chunked() {
    assert!(replay("fuzz/seeds") > 100, "the spec cases are all there");
}

#[test]
fn inputs_the_fuzzer_found_stay_fixed() {
    replay("fuzz/regressions");
}

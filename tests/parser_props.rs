//! Property tests for the parser: chunking never matters, no input panics, and the
//! parser agrees with a slow, obviously-correct reference built straight from the
//! WHATWG HTML Standard's §9.2 "Parsing an event stream" and "Interpreting an event stream".
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{run_split, run_whole, Outcome};
use proptest::prelude::*;
use proptest::sample::Index;
use wasm_sse::parser::{Event, Item, ParseError, ParserOptions};

// ---------------------------------------------------------------------------------------
// Inputs

/// One SSE-like line, without its line ending.
fn sse_line() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static [u8]> = vec![
        b"data: hello",
        b"data",
        b"data:",
        b"data: ",
        b"data:  two spaces",
        b"data:x:y",
        b"data: {\"a\":[1,2]}",
        b"event: x",
        b"event: y",
        b"event:",
        b"event",
        b"id: 1",
        b"id: 2",
        b"id:",
        b"id",
        b"id: a\0b",
        b"retry: 123",
        b"retry: 0",
        b"retry: 1x",
        b"retry:  5",
        b"retry: 99999999999999999999999",
        b": comment",
        b":",
        b"",
        b"",
        b"",
        b"foo: bar",
        b"Data: x",
        b"data : x",
        b"\xEF\xBB\xBFdata: bom",
        b"data: \xF0\x9F\x98\x80 \xE4\xB8\xAD",
        b"data: \xF0\x9F\x98",
        b"data: \xC0\x80\xFF",
        b"id: \xFE",
    ];
    let raw_byte = prop::sample::select(vec![
        0xEF, 0xBB, 0xBF, 0x00, b'\r', b'\n', 0xF0, 0x9F, 0x98, 0x80, 0xC0, 0xFF, b':', b' ', b'a',
    ]);
    prop_oneof![
        6 => prop::sample::select(fixed).prop_map(<[u8]>::to_vec),
        2 => "[a-z :]{0,12}".prop_map(|s| format!("data: {s}").into_bytes()),
        1 => "\\PC{0,6}".prop_map(|s| format!("data:{s}").into_bytes()),
        1 => "[a-z]{0,4}".prop_map(|s| format!("id: {s}").into_bytes()),
        1 => prop::collection::vec(raw_byte, 0..8),
        1 => prop::collection::vec(any::<u8>(), 0..8),
    ]
}

fn line_ending() -> impl Strategy<Value = &'static [u8]> {
    prop::sample::select(vec![&b"\n"[..], b"\r", b"\r\n"])
}

/// An SSE-like stream: an optional BOM, lines with random endings, and an optional
/// unterminated tail.
fn sse_stream() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        prop::collection::vec((sse_line(), line_ending()), 0..30),
        prop::option::of(sse_line()),
    )
        .prop_map(|(bom, lines, tail)| {
            let mut out = Vec::new();
            if bom {
                out.extend_from_slice(b"\xEF\xBB\xBF");
            }
            for (line, ending) in lines {
                out.extend_from_slice(&line);
                out.extend_from_slice(ending);
            }
            out.extend(tail.unwrap_or_default());
            out
        })
}

/// Split points for an input of `len` bytes: sorted offsets in `0..=len`, repeats allowed
/// (so empty chunks occur).
fn split_points(picks: &[Index], len: usize) -> Vec<usize> {
    let mut points: Vec<usize> = picks.iter().map(|pick| pick.index(len + 1)).collect();
    points.sort_unstable();
    points
}

fn options(max: Option<usize>, dispatch_incomplete: bool) -> ParserOptions {
    let options = ParserOptions::default().dispatch_incomplete_event(dispatch_incomplete);
    match max {
        Some(max) => options.max_event_size(max),
        None => options,
    }
}

// ---------------------------------------------------------------------------------------
// The reference: the spec's algorithm, run over the whole decoded stream at once.

struct Reference {
    data: String,
    event_type: String,
    last_event_id_buffer: String,
    last_event_id: String,
    items: Vec<Item>,
}

impl Reference {
    /// Items and final last event ID for `input`, parsed as one complete stream.
    fn parse(input: &[u8], dispatch_incomplete: bool) -> (Vec<Item>, String) {
        // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
        let bytes = input
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .unwrap_or(input);
        let text = String::from_utf8_lossy(bytes);

        // Lines end at CRLF, at LF, or at CR not followed by LF.
        let mut lines = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    lines.push(std::mem::take(&mut current));
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                }
                '\n' => lines.push(std::mem::take(&mut current)),
                c => current.push(c),
            }
        }

        let mut state = Reference {
            data: String::new(),
            event_type: String::new(),
            last_event_id_buffer: String::new(),
            last_event_id: "".into(),
            items: Vec::new(),
        };
        for line in &lines {
            state.line(line);
        }
        // "Once the end of the file is reached, any pending data must be discarded."
        if dispatch_incomplete {
            if !current.is_empty() {
                state.line(&current);
            }
            state.dispatch();
        }
        (state.items, state.last_event_id)
    }

    fn line(&mut self, line: &str) {
        if line.is_empty() {
            self.dispatch();
        } else if let Some(comment) = line.strip_prefix(':') {
            let comment = comment.strip_prefix(' ').unwrap_or(comment);
            self.items.push(Item::Comment(comment.to_owned()));
        } else if let Some((field, value)) = line.split_once(':') {
            self.field(field, value.strip_prefix(' ').unwrap_or(value));
        } else {
            self.field(line, "");
        }
    }

    fn field(&mut self, name: &str, value: &str) {
        match name {
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "event" => self.event_type = value.to_owned(),
            // An id containing U+0000, or a retry that is not all ASCII digits, falls
            // through to "ignore the field".
            "id" if !value.contains('\0') => self.last_event_id_buffer = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // Only overflow can make parsing all-digit text fail.
                self.items
                    .push(Item::Retry(value.parse().unwrap_or(u64::MAX)));
            }
            _ => {}
        }
    }

    fn dispatch(&mut self) {
        self.last_event_id = self.last_event_id_buffer.clone();
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        if data.ends_with('\n') {
            data.pop();
        }
        let event_type = std::mem::take(&mut self.event_type);
        self.items.push(Item::Event(Event {
            event_type: if event_type.is_empty() {
                None
            } else {
                Some(event_type)
            },
            data,
            last_event_id: self.last_event_id.as_str().into(),
        }));
    }
}

// ---------------------------------------------------------------------------------------
// Properties

fn assert_error_is_too_large(outcome: &Outcome, max: usize) -> Result<(), TestCaseError> {
    match &outcome.error {
        None => {}
        Some(ParseError::EventTooLarge { limit }) => prop_assert_eq!(*limit, max),
        Some(other) => prop_assert!(false, "unexpected error {other:?}"),
    }
    Ok(())
}

/// Runs `input` whole, split at the picked points, and byte by byte with an empty chunk
/// after each byte (empty chunks must change nothing); all three must agree.
fn outcome_in_every_chunking(
    options: &ParserOptions,
    input: &[u8],
    picks: &[Index],
) -> Result<Outcome, TestCaseError> {
    let whole = run_whole(options, input);
    let chunked = run_split(options, input, &split_points(picks, input.len()));
    prop_assert_eq!(&chunked, &whole);
    let bytewise = common::run_chunks(options, input.chunks(1).flat_map(|b| [b, &[][..]]));
    prop_assert_eq!(&bytewise, &whole);
    Ok(whole)
}

/// In every chunking, the parser gives exactly what the reference model gives.
fn assert_matches_reference(
    input: &[u8],
    picks: &[Index],
    dispatch_incomplete: bool,
) -> Result<(), TestCaseError> {
    let outcome = outcome_in_every_chunking(&options(None, dispatch_incomplete), input, picks)?;
    assert_is_reference_outcome(&outcome, input, dispatch_incomplete)
}

/// `outcome` is what the reference model gives for `input`, with no error.
fn assert_is_reference_outcome(
    outcome: &Outcome,
    input: &[u8],
    dispatch_incomplete: bool,
) -> Result<(), TestCaseError> {
    let (items, last_event_id) = Reference::parse(input, dispatch_incomplete);
    prop_assert_eq!(&outcome.error, &None);
    prop_assert_eq!(&outcome.items, &items);
    prop_assert_eq!(&outcome.last_event_id, &last_event_id);
    Ok(())
}

proptest! {
    // No regression files: failures print their minimal input; add it to parser_spec.rs.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any chunking of an SSE-like stream gives the same items, error and last event ID
    /// as feeding it whole.
    #[test]
    fn chunking_never_changes_the_outcome(
        input in sse_stream(),
        picks in prop::collection::vec(any::<Index>(), 0..10),
        dispatch_incomplete in any::<bool>(),
        max in prop::option::of(0usize..48),
    ) {
        let options = options(max, dispatch_incomplete);
        let whole = outcome_in_every_chunking(&options, &input, &picks)?;
        if max.is_none() {
            prop_assert_eq!(whole.error, None);
        }
    }

    /// Arbitrary bytes never panic, in any chunking, agree across chunkings, and with a
    /// limit either parse or fail with `EventTooLarge` naming it; dispatched data, types and
    /// IDs never exceed the limit.
    #[test]
    fn arbitrary_bytes_never_panic_and_respect_the_limit(
        input in prop::collection::vec(any::<u8>(), 0..400),
        picks in prop::collection::vec(any::<Index>(), 0..10),
        dispatch_incomplete in any::<bool>(),
        max in prop::option::of(0usize..64),
    ) {
        let options = options(max, dispatch_incomplete);
        let whole = outcome_in_every_chunking(&options, &input, &picks)?;
        match max {
            Some(max) => {
                assert_error_is_too_large(&whole, max)?;
                for item in &whole.items {
                    if let Item::Event(event) = item {
                        prop_assert!(event.data.len() <= max, "data {:?} over {}", event.data, max);
                        // So do the type and the ID, decoded (an invalid byte becomes three).
                        let event_type = event.event_type.as_deref().unwrap_or_default();
                        prop_assert!(event_type.len() <= max, "type {:?} over {}", event_type, max);
                        prop_assert!(event.last_event_id.len() <= max, "id {:?} over {}", event.last_event_id, max);
                    }
                }
            }
            None => prop_assert_eq!(&whole.error, &None),
        }
    }

    /// The parser, fed in random chunks, equals the reference on SSE-like streams.
    #[test]
    fn parser_matches_the_reference_model(
        input in sse_stream(),
        picks in prop::collection::vec(any::<Index>(), 0..10),
        dispatch_incomplete in any::<bool>(),
    ) {
        assert_matches_reference(&input, &picks, dispatch_incomplete)?;
    }

    /// The reference agrees with the parser on arbitrary bytes too.
    #[test]
    fn parser_matches_the_reference_model_on_arbitrary_bytes(
        input in prop::collection::vec(any::<u8>(), 0..300),
        picks in prop::collection::vec(any::<Index>(), 0..10),
        dispatch_incomplete in any::<bool>(),
    ) {
        assert_matches_reference(&input, &picks, dispatch_incomplete)?;
    }
}

/// A stream of a few lines longer than the 64 KiB line buffer the splitter keeps between
/// lines, so that, cut into chunks, each is joined from pieces in a buffer freed after it
/// (some past 1 MiB, where that buffer grows by half rather than doubling):
/// a field's start, then a short pattern repeated (it may hold CR, LF, multi-byte and
/// invalid UTF-8), with a random line ending; blank lines between some of them.
fn long_line_stream() -> impl Strategy<Value = Vec<u8>> {
    let start = prop::sample::select(vec![
        &b"data: "[..],
        b"data:",
        b"data:  ",
        b"data",
        b"Data: ",
        b"event: ",
        b"id: ",
        b"retry: ",
        b": ",
        b"foo: ",
        b"",
    ]);
    let pattern = prop::collection::vec(
        prop::sample::select(vec![
            b'a', b'z', b' ', b':', 0xE4, 0xB8, 0xAD, 0xFF, b'\r', b'\n', 0,
        ]),
        1..6,
    );
    let len = prop_oneof![3 => 64 * 1024..100 * 1024usize, 1 => 1000 * 1024..2600 * 1024usize];
    let line = (start, pattern, len, line_ending(), any::<bool>());
    prop::collection::vec(line, 1..4).prop_map(|lines| {
        let mut out = Vec::new();
        for (start, pattern, len, ending, blank) in lines {
            out.extend_from_slice(start);
            out.extend(pattern.iter().cycle().take(len));
            out.extend_from_slice(ending);
            if blank {
                out.extend_from_slice(ending);
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Lines joined from several chunks in large buffers give what the whole stream gives
    /// and what the reference gives; under a limit, the same items and error in every
    /// chunking.
    #[test]
    fn long_lines_split_over_chunks_match_the_whole_stream_and_the_reference(
        input in long_line_stream(),
        picks in prop::collection::vec(any::<Index>(), 2..12),
        dispatch_incomplete in any::<bool>(),
        max in prop::option::of(prop_oneof![60_000usize..140_000, 1_000_000usize..3_000_000]),
    ) {
        let options = options(max, dispatch_incomplete);
        let whole = run_whole(&options, &input);
        let points = split_points(&picks, input.len());
        prop_assert_eq!(&run_split(&options, &input, &points), &whole);
        let small: Vec<usize> = (0..input.len()).step_by(4093).collect();
        prop_assert_eq!(&run_split(&options, &input, &small), &whole);
        match max {
            Some(max) => assert_error_is_too_large(&whole, max)?,
            None => assert_is_reference_outcome(&whole, &input, dispatch_incomplete)?,
        }
    }
}

/// The reference itself, on a few known answers, so a broken model cannot pass silently.
#[test]
fn reference_model_gets_known_cases_right() {
    let (items, id) = Reference::parse(
        b"\xEF\xBB\xBFid: 1\rdata: a\r\ndata:  b\n\nevent: e\ndata\n\n",
        false,
    );
    let event = |event_type: Option<&str>, data: &str| {
        Item::Event(Event {
            event_type: event_type.map(str::to_owned),
            data: data.to_owned(),
            last_event_id: "1".into(),
        })
    };
    assert_eq!(items, vec![event(None, "a\n b"), event(Some("e"), "")]);
    assert_eq!(id, "1");
    let (items, _) = Reference::parse(b": c\nretry: 7\ndata: x", true);
    assert_eq!(
        items,
        vec![
            Item::Comment("c".to_owned()),
            Item::Retry(7),
            Item::Event(Event {
                event_type: None,
                data: "x".to_owned(),
                last_event_id: "".into()
            }),
        ]
    );
}

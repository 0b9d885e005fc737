//! The parser against the WHATWG HTML Standard, §9.2 Server-sent events: "Parsing an
//! event stream", "Interpreting an event stream" and "dispatch the event"
//! (<https://html.spec.whatwg.org/multipage/server-sent-events.html>).
//!
//! Every case goes through `check`, which feeds the input whole, one byte at a time,
//! split in two at every offset and (up to 64 bytes) split in three at every pair of
//! offsets, and requires the same items from all of them. So every case is also a
//! chunk-boundary test; the boundary cases that matter most are named on their own.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{check, check_err, check_opts, comment, ev, feed_all, retry, run_chunks};
use wasm_sse::parser::{Item, ParseError, Parser, ParserOptions, DEFAULT_MAX_EVENT_SIZE};

fn too_large(limit: usize) -> ParseError {
    ParseError::EventTooLarge { limit }
}

fn limited(max: usize) -> ParserOptions {
    ParserOptions::default().max_event_size(max)
}

fn lenient() -> ParserOptions {
    ParserOptions::default().dispatch_incomplete_event(true)
}

// ---------------------------------------------------------------------------------------
// Byte order mark
// [spec] "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."

#[test]
fn one_leading_bom_is_stripped() {
    check(b"\xEF\xBB\xBFdata: x\n\n", &[ev(None, "x", "")]);
}

#[test]
fn leading_bom_split_across_chunks_is_still_stripped() {
    let expected = vec![ev(None, "x", "")];
    let options = ParserOptions::default();
    let chunks: [&[u8]; 4] = [b"\xEF", b"\xBB", b"\xBF", b"data: x\n\n"];
    assert_eq!(run_chunks(&options, chunks).items, expected);
    let chunks: [&[u8]; 2] = [b"\xEF\xBB", b"\xBFdata: x\n\n"];
    assert_eq!(run_chunks(&options, chunks).items, expected);
    check(b"\xEF\xBB\xBFdata: x\n\n", &expected);
}

#[test]
fn bom_is_stripped_before_the_comment_check() {
    check(b"\xEF\xBB\xBF: hi\n", &[comment("hi")]);
}

#[test]
fn second_bom_after_the_stripped_one_is_data_making_an_unknown_field() {
    // The line is "\u{FEFF}data: x": its field name is "\u{FEFF}data", not "data".
    check(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\n", &[]);
}

#[test]
fn bom_at_the_start_of_a_later_line_is_not_stripped() {
    check(
        "data: a\n\n\u{FEFF}data: b\n\n".as_bytes(),
        &[ev(None, "a", "")],
    );
}

#[test]
fn bom_inside_a_value_is_kept() {
    check(
        "data: \u{FEFF}x\n\n".as_bytes(),
        &[ev(None, "\u{FEFF}x", "")],
    );
}

#[test]
fn bytes_starting_like_a_bom_but_diverging_are_kept_as_data() {
    // EF BB 64 …: not a BOM. The bytes stay on the line, so its field name is
    // "\u{FFFD}data" (one U+FFFD for the truncated sequence), not "data".
    check(b"\xEF\xBBdata: x\n\ndata: y\n\n", &[ev(None, "y", "")]);
    check(b"\xEFdata: x\n\ndata: y\n\n", &[ev(None, "y", "")]);
    check(b"\xEF\xBB\xBEdata: x\n\ndata: y\n\n", &[ev(None, "y", "")]);
}

#[test]
fn stream_of_only_a_partial_bom_yields_nothing() {
    check(b"\xEF\xBB", &[]);
    // Processed at the end as a line "\u{FFFD}": an unknown field.
    check_opts(lenient(), b"\xEF\xBB", &[]);
}

#[test]
fn partial_bom_bytes_count_as_line_bytes() {
    // If EF BB were dropped, the first line would be blank and within the limit.
    check_err(limited(1), b"\xEF\xBB\ndata: y\n\n", &[], too_large(1));
}

#[test]
fn stripped_bom_does_not_count_toward_the_line_limit() {
    check_opts(limited(6), b"\xEF\xBB\xBFdata:x\n\n", &[ev(None, "x", "")]);
}

// ---------------------------------------------------------------------------------------
// Line endings
// [spec] "… a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a single
// U+000A LINE FEED (LF) character not preceded by a U+000D CARRIAGE RETURN (CR)
// character, and a single U+000D CARRIAGE RETURN (CR) character not followed by a
// U+000A LINE FEED (LF) character being the ways in which a line can end."

#[test]
fn lf_ends_a_line() {
    check(b"data: a\n\n", &[ev(None, "a", "")]);
}

#[test]
fn lone_cr_ends_a_line() {
    check(b"data: a\r\r", &[ev(None, "a", "")]);
}

#[test]
fn crlf_ends_a_line() {
    check(b"data: a\r\n\r\n", &[ev(None, "a", "")]);
}

#[test]
fn cr_lf_and_crlf_can_be_mixed_in_one_stream() {
    check(
        b"data: a\rdata: b\ndata: c\r\n\r\ndata: d\n\r\nevent: e\rdata: f\r\n\n",
        &[
            ev(None, "a\nb\nc", ""),
            ev(None, "d", ""),
            ev(Some("e"), "f", ""),
        ],
    );
}

#[test]
fn crlf_split_across_chunks_is_one_line_ending() {
    let expected = vec![ev(None, "a\nb", "")];
    let chunks: [&[u8]; 2] = [b"data: a\r", b"\ndata: b\r\n\r\n"];
    assert_eq!(
        run_chunks(&ParserOptions::default(), chunks).items,
        expected
    );
    check(b"data: a\r\ndata: b\r\n\r\n", &expected);
}

#[test]
fn empty_chunk_between_cr_and_lf_does_not_break_the_crlf() {
    let expected = vec![ev(None, "a\nb", "")];
    let chunks: [&[u8]; 4] = [b"data: a\r", b"", b"\ndata: b\r", b"\n\n"];
    assert_eq!(
        run_chunks(&ParserOptions::default(), chunks).items,
        expected
    );
}

#[test]
fn cr_cr_is_a_line_end_then_a_blank_line() {
    check(
        b"data: a\r\rdata: b\r\r",
        &[ev(None, "a", ""), ev(None, "b", "")],
    );
}

#[test]
fn lf_cr_is_two_line_endings() {
    check(
        b"data: a\n\rdata: b\n\n",
        &[ev(None, "a", ""), ev(None, "b", "")],
    );
}

#[test]
fn crlf_then_lf_is_a_line_end_then_a_blank_line() {
    check(
        b"data: a\r\n\ndata: b\r\n\r\n",
        &[ev(None, "a", ""), ev(None, "b", "")],
    );
}

#[test]
fn cr_in_the_middle_of_a_line_ends_it() {
    // "b" becomes a line of its own: a field named "b", ignored.
    check(b"data: a\rb\n\n", &[ev(None, "a", "")]);
}

#[test]
fn cr_cr_at_the_very_end_dispatches_without_waiting_for_more_input() {
    let mut parser = Parser::new();
    let items = feed_all(&mut parser, &[b"data: a\r\r"]);
    assert_eq!(items, vec![ev(None, "a", "")]);
    // Nor does a CR at the end of a chunk hold back its line.
    let mut parser = Parser::new();
    assert_eq!(
        feed_all(&mut parser, &[b"data: a\n\r"]),
        vec![ev(None, "a", "")]
    );
    check(b"data: a\r\r", &[ev(None, "a", "")]);
}

#[test]
fn a_stream_of_only_line_endings_dispatches_nothing() {
    check(b"\n\n\r\n\r\r\n\r", &[]);
}

// ---------------------------------------------------------------------------------------
// UTF-8 decoding
// [spec] "Event streams are always decoded as UTF-8." — with the Encoding Standard's
// UTF-8 decode: each maximal invalid subpart becomes one U+FFFD.

#[test]
fn multibyte_utf8_is_decoded() {
    check(
        "data: héllo 世界 😀\n\n".as_bytes(),
        &[ev(None, "héllo 世界 😀", "")],
    );
}

#[test]
fn four_byte_emoji_split_at_every_point_decodes_to_one_char() {
    let expected = vec![ev(None, "😀", "")];
    let input = "data: 😀\n\n".as_bytes();
    for cut in 6..=10 {
        let chunks: [&[u8]; 2] = [&input[..cut], &input[cut..]];
        assert_eq!(
            run_chunks(&ParserOptions::default(), chunks).items,
            expected,
            "cut {cut}"
        );
    }
    check(input, &expected);
}

#[test]
fn three_byte_cjk_char_split_at_every_point_decodes_to_one_char() {
    check("data: 中\n\n".as_bytes(), &[ev(None, "中", "")]);
}

#[test]
fn truncated_four_byte_sequence_before_lf_is_one_replacement_char() {
    check(b"data: \xF0\x9F\x98\n\n", &[ev(None, "\u{FFFD}", "")]);
}

#[test]
fn truncated_sequence_before_ascii_is_one_replacement_char_and_the_ascii_is_kept() {
    check(b"data: \xE2\x82x\n\n", &[ev(None, "\u{FFFD}x", "")]);
}

#[test]
fn overlong_c0_80_is_two_replacement_chars() {
    check(b"data: \xC0\x80\n\n", &[ev(None, "\u{FFFD}\u{FFFD}", "")]);
}

#[test]
fn each_lone_continuation_byte_is_one_replacement_char() {
    check(
        b"data: \x80\xBFx\x80\n\n",
        &[ev(None, "\u{FFFD}\u{FFFD}x\u{FFFD}", "")],
    );
}

#[test]
fn encoded_surrogate_is_three_replacement_chars() {
    check(
        b"data: \xED\xA0\x80\n\n",
        &[ev(None, "\u{FFFD}\u{FFFD}\u{FFFD}", "")],
    );
}

#[test]
fn sequence_above_u10ffff_is_four_replacement_chars() {
    check(
        b"data: \xF4\x90\x80\x80\n\n",
        &[ev(None, "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}", "")],
    );
}

#[test]
fn an_invalid_line_leaves_the_valid_lines_of_its_chunk_as_they_are() {
    // A chunk's complete lines are checked as UTF-8 together; when the check fails, each
    // line is decoded on its own, so only the bad line gets replacement characters.
    check(
        b"data: \xC3\xA9t\xC3\xA9\n\ndata: a\xFFb\n\nid: \xE4\xB8\xAD\ndata: ok\n\n",
        &[
            ev(None, "été", ""),
            ev(None, "a\u{FFFD}b", ""),
            ev(None, "ok", "中"),
        ],
    );
}

#[test]
fn sequence_cut_by_a_line_end_is_not_resumed_on_the_next_line() {
    check(
        b"data: \xE4\xB8\ndata: \xAD\n\n",
        &[ev(None, "\u{FFFD}\n\u{FFFD}", "")],
    );
}

#[test]
fn invalid_bytes_in_event_type_become_replacement_chars() {
    check(
        b"event: a\xFFb\ndata: x\n\n",
        &[ev(Some("a\u{FFFD}b"), "x", "")],
    );
}

#[test]
fn invalid_bytes_in_id_become_replacement_chars() {
    let outcome = check(
        b"id: \xFE1\xC3\ndata: x\n\n",
        &[ev(None, "x", "\u{FFFD}1\u{FFFD}")],
    );
    assert_eq!(outcome.last_event_id, "\u{FFFD}1\u{FFFD}");
}

#[test]
fn invalid_bytes_in_a_comment_become_replacement_chars() {
    check(b": \xFFok\n", &[comment("\u{FFFD}ok")]);
}

// ---------------------------------------------------------------------------------------
// Field parsing
// [spec] "If the line contains a U+003A COLON character (:): Collect the characters on the
// line before the first U+003A COLON character (:), and let field be that string. Collect
// the characters on the line after the first U+003A COLON character (:), and let value be
// that string. If value starts with a U+0020 SPACE character, remove it from value."

#[test]
fn field_name_ends_at_the_first_colon_and_the_value_keeps_later_colons() {
    check(
        b"data: http://example.com:8080/a?b=c:d\n\n",
        &[ev(None, "http://example.com:8080/a?b=c:d", "")],
    );
}

#[test]
fn json_value_with_colons_is_kept_whole() {
    check(
        b"data: {\"a\":1,\"b\":\"x:y\"}\n\n",
        &[ev(None, "{\"a\":1,\"b\":\"x:y\"}", "")],
    );
}

#[test]
fn only_one_leading_space_is_stripped_from_the_value() {
    check(b"data:  x\n\n", &[ev(None, " x", "")]);
}

#[test]
fn value_without_a_leading_space_is_taken_as_is() {
    check(b"data:x\n\n", &[ev(None, "x", "")]);
}

#[test]
fn leading_tab_is_not_stripped_from_the_value() {
    check(b"data:\tx\n\n", &[ev(None, "\tx", "")]);
}

#[test]
fn trailing_spaces_are_kept_in_the_value() {
    check(b"data: x  \n\n", &[ev(None, "x  ", "")]);
}

#[test]
fn value_of_a_single_space_is_empty() {
    check(b"data: \n\n", &[ev(None, "", "")]);
}

// [spec] "Otherwise, the string is not empty but does not contain a U+003A COLON
// character (:): Process the field using the whole line as the field name, and the empty
// string as the field value."

#[test]
fn line_without_colon_is_a_field_with_an_empty_value() {
    check(b"data\n\n", &[ev(None, "", "")]);
}

#[test]
fn data_with_colon_and_no_value_gives_empty_data() {
    check(b"data:\n\n", &[ev(None, "", "")]);
}

// [spec] "If the line starts with a U+003A COLON character (:): Ignore the line."
// (The parser reports it as a comment, one leading space removed.)

#[test]
fn line_starting_with_colon_is_a_comment_with_one_leading_space_removed() {
    check(
        b": hello\n:world\n:  two\n",
        &[comment("hello"), comment("world"), comment(" two")],
    );
}

#[test]
fn lone_colon_is_an_empty_comment() {
    check(b":\n", &[comment("")]);
}

#[test]
fn comment_keeps_later_colons() {
    check(b":a:b: c\n", &[comment("a:b: c")]);
}

#[test]
fn comment_then_blank_line_dispatches_nothing() {
    check(b": ping\n\n", &[comment("ping")]);
}

#[test]
fn comment_inside_an_event_does_not_affect_it() {
    check(
        b"event: e\ndata: a\n: note\ndata: b\n\n",
        &[comment("note"), ev(Some("e"), "a\nb", "")],
    );
}

#[test]
fn comment_does_not_end_an_event() {
    check(b"data: a\n: x\ndata: b\n", &[comment("x")]);
}

// [spec] "Otherwise: The field is ignored." / "Field names must be compared literally,
// with no case folding performed."

#[test]
fn unknown_fields_are_ignored() {
    check(b"foo: bar\ndata: x\nbaz\n\n", &[ev(None, "x", "")]);
}

#[test]
fn block_with_only_unknown_fields_dispatches_nothing() {
    check(b"foo: bar\n\n", &[]);
}

#[test]
fn field_names_are_case_sensitive() {
    check(b"Data: x\n\n", &[]);
    check(
        b"EVENT: e\nID: 5\nRetry: 7\ndata: x\n\n",
        &[ev(None, "x", "")],
    );
}

#[test]
fn field_name_with_a_trailing_space_is_unknown() {
    check(b"data : x\n\n", &[]);
}

#[test]
fn field_name_with_a_leading_space_is_unknown() {
    check(b" data: x\n\n", &[]);
}

// ---------------------------------------------------------------------------------------
// The data buffer
// [spec] "data: Append the field value to the data buffer, then append a single U+000A
// LINE FEED (LF) character to the data buffer." / dispatch step 3: "If the data buffer's
// last character is a U+000A LINE FEED (LF) character, then remove the last character."

#[test]
fn data_lines_are_joined_with_lf() {
    check(b"data: a\ndata: b\ndata: c\n\n", &[ev(None, "a\nb\nc", "")]);
}

#[test]
fn only_the_final_lf_is_removed() {
    check(b"data: a\ndata\n\n", &[ev(None, "a\n", "")]);
}

#[test]
fn two_empty_data_lines_give_one_lf() {
    check(b"data\ndata\n\n", &[ev(None, "\n", "")]);
}

#[test]
fn data_value_may_itself_look_like_a_field() {
    check(b"data: data: x\n\n", &[ev(None, "data: x", "")]);
}

// [spec] dispatch step 2: "If the data buffer is an empty string, set the data buffer and
// the event type buffer to the empty string and return."

#[test]
fn blank_lines_without_data_dispatch_nothing() {
    check(b"\n\n\n", &[]);
}

#[test]
fn empty_data_buffer_still_resets_the_event_type() {
    check(b"event: a\n\ndata: x\n\n", &[ev(None, "x", "")]);
}

#[test]
fn block_with_only_an_id_dispatches_nothing_but_sets_the_last_event_id() {
    let outcome = check(b"id: 7\n\n", &[]);
    assert_eq!(outcome.last_event_id, "7");
    check(b"id: 7\n\ndata: x\n\n", &[ev(None, "x", "7")]);
}

// ---------------------------------------------------------------------------------------
// The event type buffer
// [spec] "event: Set the event type buffer to the field value." / "If the event type
// buffer has a value other than the empty string, change the type of the newly created
// event to equal the value of the event type buffer."

#[test]
fn event_field_sets_the_type_of_the_next_dispatch_only() {
    check(
        b"event: a\ndata: 1\n\ndata: 2\n\n",
        &[ev(Some("a"), "1", ""), ev(None, "2", "")],
    );
}

#[test]
fn later_event_field_in_the_same_block_overrides() {
    check(
        b"event: a\nevent: b\ndata: x\n\n",
        &[ev(Some("b"), "x", "")],
    );
}

#[test]
fn event_field_after_the_data_still_applies() {
    check(b"data: x\nevent: late\n\n", &[ev(Some("late"), "x", "")]);
}

#[test]
fn empty_event_field_means_message() {
    let outcome = check(b"event:\ndata: x\n\n", &[ev(None, "x", "")]);
    let Item::Event(event) = &outcome.items[0] else {
        panic!("not an event")
    };
    assert_eq!(event.dispatch_type(), "message");
}

#[test]
fn empty_event_field_clears_an_earlier_one() {
    check(b"event: a\nevent:\ndata: x\n\n", &[ev(None, "x", "")]);
}

#[test]
fn event_field_without_colon_means_message() {
    check(b"event\ndata: x\n\n", &[ev(None, "x", "")]);
}

#[test]
fn event_type_keeps_inner_and_trailing_spaces() {
    let outcome = check(
        b"event:  spaced out \ndata: x\n\n",
        &[ev(Some(" spaced out "), "x", "")],
    );
    let Item::Event(event) = &outcome.items[0] else {
        panic!("not an event")
    };
    assert_eq!(event.dispatch_type(), " spaced out ");
}

#[test]
fn explicit_message_event_type_is_reported_as_given() {
    check(
        b"event: message\ndata: x\n\n",
        &[ev(Some("message"), "x", "")],
    );
}

// ---------------------------------------------------------------------------------------
// The last event ID
// [spec] "id: If the field value does not contain U+0000 NULL, then set the last event ID
// buffer to the field value. Otherwise, ignore the field." / dispatch step 1: "The buffer
// does not get reset, so the last event ID string of the event source remains set to
// this value until the next time it is set by the server."

#[test]
fn id_persists_across_later_events() {
    let outcome = check(
        b"id: 1\ndata: a\n\ndata: b\n\n",
        &[ev(None, "a", "1"), ev(None, "b", "1")],
    );
    assert_eq!(outcome.last_event_id, "1");
}

#[test]
fn id_containing_nul_is_ignored() {
    let outcome = check(
        b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
        &[ev(None, "a", "1"), ev(None, "b", "1")],
    );
    assert_eq!(outcome.last_event_id, "1");
}

#[test]
fn id_of_only_nul_is_ignored() {
    check(b"id: x\nid: \x00\ndata: a\n\n", &[ev(None, "a", "x")]);
}

#[test]
fn empty_id_resets_the_last_event_id() {
    let outcome = check(
        b"id: 1\ndata: a\n\nid:\ndata: b\n\n",
        &[ev(None, "a", "1"), ev(None, "b", "")],
    );
    assert_eq!(outcome.last_event_id, "");
}

#[test]
fn id_without_colon_resets_the_last_event_id() {
    check(
        b"id: 1\ndata: a\n\nid\ndata: b\n\n",
        &[ev(None, "a", "1"), ev(None, "b", "")],
    );
}

#[test]
fn event_carries_the_id_set_in_its_own_block() {
    check(
        b"id: 1\ndata: a\n\nid: 2\ndata: b\n\n",
        &[ev(None, "a", "1"), ev(None, "b", "2")],
    );
}

#[test]
fn id_after_the_data_in_the_same_block_applies_to_that_event() {
    check(b"data: x\nid: 5\n\n", &[ev(None, "x", "5")]);
}

#[test]
fn later_id_in_the_same_block_overrides() {
    check(b"id: 1\nid: 2\ndata: x\n\n", &[ev(None, "x", "2")]);
}

#[test]
fn id_takes_effect_only_when_its_block_is_dispatched() {
    let outcome = check(b"id: 1\ndata: a\n\nid: 2\ndata: b\n", &[ev(None, "a", "1")]);
    assert_eq!(outcome.last_event_id, "1");
}

#[test]
fn id_keeps_unicode_colons_and_inner_spaces_minus_one_leading_space() {
    check(
        "id:  a b:ü \ndata: x\n\n".as_bytes(),
        &[ev(None, "x", " a b:ü ")],
    );
}

// ---------------------------------------------------------------------------------------
// Reconnection time
// [spec] "retry: If the field value consists of only ASCII digits, then interpret the
// field value as an integer in base ten, and set the event stream's reconnection time to
// that integer. Otherwise, ignore the field."

#[test]
fn retry_of_ascii_digits_is_reported() {
    check(b"retry: 3000\n", &[retry(3000)]);
}

#[test]
fn retry_without_a_space_is_reported() {
    check(b"retry:250\n", &[retry(250)]);
}

#[test]
fn retry_is_reported_when_processed_before_its_blocks_event() {
    check(b"data: x\nretry: 5\n\n", &[retry(5), ev(None, "x", "")]);
}

#[test]
fn retry_in_a_block_without_data_is_reported_and_dispatches_nothing() {
    check(b"retry: 5\n\n", &[retry(5)]);
}

#[test]
fn retry_of_zero_is_valid() {
    check(b"retry: 0\n", &[retry(0)]);
}

#[test]
fn retry_with_leading_zeros_is_base_ten() {
    check(b"retry: 0070\n", &[retry(70)]);
}

#[test]
fn retry_with_trailing_letters_is_ignored() {
    check(b"retry: 10x\n", &[]);
}

#[test]
fn retry_negative_is_ignored() {
    check(b"retry: -1\n", &[]);
}

#[test]
fn retry_with_plus_sign_is_ignored() {
    check(b"retry: +1\n", &[]);
}

#[test]
fn retry_decimal_is_ignored() {
    check(b"retry: 1.5\n", &[]);
}

#[test]
fn retry_empty_is_ignored() {
    check(b"retry: \nretry:\nretry\n", &[]);
}

#[test]
fn retry_with_a_second_leading_space_is_ignored() {
    check(b"retry:  10\n", &[]);
}

#[test]
fn retry_with_a_trailing_space_is_ignored() {
    check(b"retry: 10 \n", &[]);
}

#[test]
fn retry_with_non_ascii_digits_is_ignored() {
    check("retry: ١٢\nretry: １２\n".as_bytes(), &[]);
}

#[test]
fn retry_too_large_for_u64_saturates() {
    check(b"retry: 18446744073709551615\n", &[retry(u64::MAX)]);
    check(b"retry: 18446744073709551616\n", &[retry(u64::MAX)]);
    check(
        b"retry: 99999999999999999999999999999999999999999999\n",
        &[retry(u64::MAX)],
    );
}

#[test]
fn invalid_retry_does_not_disturb_the_event() {
    check(b"retry: x\ndata: a\n\n", &[ev(None, "a", "")]);
}

// ---------------------------------------------------------------------------------------
// End of the stream
// [spec] "Once the end of the file is reached, any pending data must be discarded. (If
// the file ends in the middle of an event, before the final empty line, the incomplete
// event is not dispatched.)"

#[test]
fn event_without_closing_blank_line_is_discarded_at_the_end() {
    check(b"data: x\n", &[]);
}

#[test]
fn unfinished_final_line_is_discarded_at_the_end() {
    check(b"data: a\n\ndata: b", &[ev(None, "a", "")]);
    check(b"retry: 5", &[]);
    check(b": hi", &[]);
}

#[test]
fn dispatch_incomplete_event_processes_the_unfinished_line_and_dispatches() {
    check_opts(lenient(), b"data: a\ndata: b", &[ev(None, "a\nb", "")]);
}

#[test]
fn dispatch_incomplete_event_dispatches_a_block_of_complete_lines() {
    check_opts(lenient(), b"event: e\ndata: x\n", &[ev(Some("e"), "x", "")]);
    check_opts(lenient(), b"data: x\r", &[ev(None, "x", "")]);
}

#[test]
fn dispatch_incomplete_event_applies_an_unfinished_id_line() {
    let outcome = check_opts(lenient(), b"data: x\nid: 9", &[ev(None, "x", "9")]);
    assert_eq!(outcome.last_event_id, "9");
}

#[test]
fn dispatch_incomplete_event_reports_unfinished_retry_and_comment_lines() {
    check_opts(lenient(), b"retry: 5", &[retry(5)]);
    check_opts(lenient(), b": bye", &[comment("bye")]);
}

#[test]
fn dispatch_incomplete_event_dispatches_nothing_after_a_complete_stream() {
    check_opts(lenient(), b"data: a\n\n", &[ev(None, "a", "")]);
    check_opts(lenient(), b"", &[]);
}

#[test]
fn dispatch_incomplete_event_enforces_the_data_limit_on_the_unfinished_line() {
    let options = limited(10).dispatch_incomplete_event(true);
    check_err(
        options.clone(),
        b"data:12345\ndata:12345",
        &[],
        too_large(10),
    );
    check_opts(
        options,
        b"data:12345\ndata:1234",
        &[ev(None, "12345\n1234", "")],
    );
}

#[test]
fn finish_leaves_the_parser_ready_for_a_new_stream_keeping_the_last_event_id() {
    let mut parser = Parser::new();
    let mut items = feed_all(
        &mut parser,
        &[b"id: 3\ndata: a\n\nid: 4\nevent: e\ndata: part"],
    );
    parser.finish(|item| items.push(item)).unwrap();
    assert_eq!(parser.last_event_id(), "3");
    // The new stream: no leftover line, type, data or id; its own BOM is stripped.
    items.extend(feed_all(&mut parser, &[b"\xEF\xBB\xBFial\ndata: b\n\n"]));
    assert_eq!(items, vec![ev(None, "a", "3"), ev(None, "b", "3")]);
}

#[test]
fn finish_ends_a_pending_crlf_so_the_next_stream_starts_fresh() {
    let mut parser = Parser::new();
    let mut items = feed_all(&mut parser, &[b"data: a\r"]);
    parser.finish(|item| items.push(item)).unwrap();
    // The LF belongs to the new stream: a blank line with nothing to dispatch.
    items.extend(feed_all(&mut parser, &[b"\ndata: b\n\n"]));
    assert_eq!(items, vec![ev(None, "b", "")]);
}

#[test]
fn reset_discards_the_partial_event_and_undispatched_id_but_keeps_the_dispatched_id() {
    let mut parser = Parser::new();
    let mut items = feed_all(
        &mut parser,
        &[b"id: 1\ndata: a\n\nid: 2\nevent: e\ndata: b\n"],
    );
    parser.reset();
    assert_eq!(parser.last_event_id(), "1");
    items.extend(feed_all(&mut parser, &[b"data: c\n\n"]));
    assert_eq!(items, vec![ev(None, "a", "1"), ev(None, "c", "1")]);
}

#[test]
fn reset_discards_the_unfinished_line() {
    let mut parser = Parser::new();
    let mut items = feed_all(&mut parser, &[b"data: a\n\ndata: hel"]);
    parser.reset();
    // "lo" starts a new line: a field named "lo", ignored.
    items.extend(feed_all(&mut parser, &[b"lo\n\ndata: c\n\n"]));
    assert_eq!(items, vec![ev(None, "a", ""), ev(None, "c", "")]);
}

// ---------------------------------------------------------------------------------------
// Size limits (not in the spec: a guard against unbounded memory)

#[test]
fn line_longer_than_the_maximum_is_an_error() {
    check_err(limited(10), b"data:123456\n\n", &[], too_large(10));
}

#[test]
fn line_of_exactly_the_maximum_is_accepted() {
    check_opts(limited(10), b"data:12345\n\n", &[ev(None, "12345", "")]);
}

#[test]
fn unterminated_line_longer_than_the_maximum_is_an_error_before_its_end() {
    check_err(limited(10), b"data:1234567890", &[], too_large(10));
    let mut parser = Parser::with_options(limited(10));
    assert_eq!(parser.feed(b"data:123456", |_| {}), Err(too_large(10)));
}

#[test]
fn long_comment_is_an_error_too() {
    check_err(limited(8), b": 12345678\n", &[], too_large(8));
}

#[test]
fn data_accumulated_over_many_lines_past_the_maximum_is_an_error() {
    // Each line fits; the event's data "1234\n5678\n9" (11 bytes) does not.
    check_err(
        limited(10),
        b"data:1234\ndata:5678\ndata:9\n\n",
        &[],
        too_large(10),
    );
    check_err(
        limited(4),
        b"data\ndata\ndata\ndata\ndata\ndata\n\n",
        &[],
        too_large(4),
    );
}

#[test]
fn event_data_of_exactly_the_maximum_is_accepted() {
    check_opts(
        limited(10),
        b"data:1234\ndata:56789\n\n",
        &[ev(None, "1234\n56789", "")],
    );
    check_opts(
        limited(4),
        b"data\ndata\ndata\ndata\ndata\n\n",
        &[ev(None, "\n\n\n\n", "")],
    );
}

#[test]
fn the_limit_applies_per_event_not_per_stream() {
    let input = b"data:12345\n\ndata:12345\n\ndata:12345\n\n";
    let one = ev(None, "12345", "");
    check_opts(limited(10), input, &[one.clone(), one.clone(), one]);
}

#[test]
fn items_before_the_oversized_line_are_delivered() {
    check_err(
        limited(10),
        b"retry: 1\ndata: a\n\n: c\ndata: 0123456789\n\n",
        &[retry(1), ev(None, "a", ""), comment("c")],
        too_large(10),
    );
}

#[test]
fn after_an_error_feed_keeps_failing_until_reset_then_parsing_works_again() {
    let mut parser = Parser::with_options(limited(10));
    let mut items = Vec::new();
    assert_eq!(
        parser.feed(b"id: 1\ndata: a\n\ndata: 0123456789\n", |i| items.push(i)),
        Err(too_large(10))
    );
    assert_eq!(
        parser.feed(b"data: b\n\n", |i| items.push(i)),
        Err(too_large(10))
    );
    assert_eq!(parser.feed(b"", |i| items.push(i)), Err(too_large(10)));
    assert_eq!(items, vec![ev(None, "a", "1")]);
    parser.reset();
    assert_eq!(parser.last_event_id(), "1");
    assert_eq!(parser.feed(b"data: b\n\n", |i| items.push(i)), Ok(()));
    assert_eq!(items, vec![ev(None, "a", "1"), ev(None, "b", "1")]);
}

#[test]
fn finish_after_an_error_reports_it_and_readies_the_parser() {
    let mut parser = Parser::with_options(limited(10).dispatch_incomplete_event(true));
    assert!(parser.feed(b"data: 0123456789", |_| {}).is_err());
    let mut items = Vec::new();
    assert_eq!(parser.finish(|i| items.push(i)), Err(too_large(10)));
    assert!(items.is_empty());
    assert_eq!(parser.feed(b"data: ok\n\n", |i| items.push(i)), Ok(()));
    assert_eq!(items, vec![ev(None, "ok", "")]);
}

#[test]
fn an_id_or_event_type_decoding_past_the_limit_is_too_large() {
    // Each invalid byte decodes to U+FFFD, three bytes: 4 bytes in make 12 held.
    check_err(
        limited(10),
        b"data: a\n\nid:\xFF\xFF\xFF\xFF\n\n",
        &[ev(None, "a", "")],
        too_large(10),
    );
    check_err(
        limited(10),
        b"event:\xFF\xFF\xFF\xFF\ndata: b\n\n",
        &[],
        too_large(10),
    );
    // At the limit once decoded, both are kept.
    check_opts(
        limited(9),
        b"id:\xFF\xFF\xFF\nevent:\xFF\xFF\xFF\ndata: c\n\n",
        &[ev(
            Some("\u{FFFD}\u{FFFD}\u{FFFD}"),
            "c",
            "\u{FFFD}\u{FFFD}\u{FFFD}",
        )],
    );
}

#[test]
fn too_large_error_has_reason_event_too_large_and_names_the_limit() {
    let error = too_large(10);
    assert_eq!(error.reason(), "event_too_large");
    assert!(error.to_string().contains("10"), "{error}");
}

#[test]
fn zero_maximum_accepts_only_blank_lines() {
    check_opts(limited(0), b"\n\r\n\r", &[]);
    check_err(limited(0), b"\n\nx", &[], too_large(0));
}

#[test]
fn default_maximum_is_16_mib() {
    assert_eq!(DEFAULT_MAX_EVENT_SIZE, 16 * 1024 * 1024);
    assert_eq!(
        ParserOptions::default().max_event_size,
        DEFAULT_MAX_EVENT_SIZE
    );
    assert!(!ParserOptions::default().dispatch_incomplete_event);
}

// ---------------------------------------------------------------------------------------
// Restoring a saved last event ID

#[test]
fn events_with_the_same_last_event_id_share_it_rather_than_copy_it() {
    use std::sync::Arc;
    let mut parser = Parser::new();
    let mut ids = Vec::new();
    let mut take = |item| {
        if let Item::Event(event) = item {
            ids.push(event.last_event_id);
        }
    };
    let long = "i".repeat(1 << 16);
    parser
        .feed(
            format!("id: {long}\ndata: a\n\ndata: b\n\n").as_bytes(),
            &mut take,
        )
        .unwrap();
    parser.feed(b"event: x\ndata: c\n\n", &mut take).unwrap();
    // An ID set by a block without data, then the same value again: a new one, then shared.
    parser
        .feed(b"id: 2\n\ndata: d\n\nid: 2\ndata: e\n\n", &mut take)
        .unwrap();
    // Events handed out by feed_borrowed in between: the next one holds its own ID.
    parser.feed_borrowed(b"id: 3\ndata: f\n\n", |_| {}).unwrap();
    parser.feed(b"data: g\n\n", &mut take).unwrap();
    let values: Vec<&str> = ids.iter().map(|id| &**id).collect();
    assert_eq!(values, [&long[..], &long, &long, "2", "2", "3"]);
    assert!(Arc::ptr_eq(&ids[0], &ids[1]) && Arc::ptr_eq(&ids[1], &ids[2]));
    assert!(Arc::ptr_eq(&ids[3], &ids[4]));
}

#[test]
fn set_last_event_id_restores_an_id_that_later_events_carry() {
    let mut parser = Parser::new();
    assert!(parser.set_last_event_id("42"));
    assert_eq!(parser.last_event_id(), "42");
    let items = feed_all(&mut parser, &[b"data: a\n\nid: 43\ndata: b\n\n"]);
    assert_eq!(items, vec![ev(None, "a", "42"), ev(None, "b", "43")]);
}

#[test]
fn set_last_event_id_survives_reset_and_finish() {
    let mut parser = Parser::new();
    assert!(parser.set_last_event_id("s"));
    parser.reset();
    parser.finish(|_| {}).unwrap();
    assert_eq!(parser.last_event_id(), "s");
    assert_eq!(
        feed_all(&mut parser, &[b"data: a\n\n"]),
        vec![ev(None, "a", "s")]
    );
}

#[test]
fn set_last_event_id_refuses_an_id_containing_nul() {
    let mut parser = Parser::new();
    assert!(parser.set_last_event_id("ok"));
    assert!(!parser.set_last_event_id("a\0b"));
    assert_eq!(parser.last_event_id(), "ok");
    assert_eq!(
        feed_all(&mut parser, &[b"data: a\n\n"]),
        vec![ev(None, "a", "ok")]
    );
}

// ---------------------------------------------------------------------------------------
// Realistic streams

#[test]
fn openai_style_completion_stream() {
    let input = concat!(
        "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\" there\"}}]}\n\n",
        "data: [DONE]\n\n",
    );
    check(
        input.as_bytes(),
        &[
            ev(
                None,
                "{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}",
                "",
            ),
            ev(None, "{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}", ""),
            ev(
                None,
                "{\"choices\":[{\"delta\":{\"content\":\" there\"}}]}",
                "",
            ),
            ev(None, "[DONE]", ""),
        ],
    );
}

#[test]
fn named_events_stream_with_crlf_and_ids() {
    let input = concat!(
        "event: message_start\r\nid: m1\r\ndata: {\"type\":\"message_start\"}\r\n\r\n",
        "event: ping\r\ndata: {}\r\n\r\n",
        "event: delta\r\nid: m2\r\ndata: {\"text\":\"a:b\"}\r\n\r\n",
    );
    check(
        input.as_bytes(),
        &[
            ev(Some("message_start"), "{\"type\":\"message_start\"}", "m1"),
            ev(Some("ping"), "{}", "m1"),
            ev(Some("delta"), "{\"text\":\"a:b\"}", "m2"),
        ],
    );
}

#[test]
fn stream_with_heartbeat_comments() {
    check(
        b": ping\n\ndata: a\n\n:\n\n: ping\ndata: b\n\n",
        &[
            comment("ping"),
            ev(None, "a", ""),
            comment(""),
            comment("ping"),
            ev(None, "b", ""),
        ],
    );
}

#[test]
fn multi_line_json_event() {
    let input = "retry: 10000\nid: 17\nevent: update\ndata: {\ndata:   \"user\": \"ünï\",\ndata:   \"n\": 1\ndata: }\n\n";
    check(
        input.as_bytes(),
        &[
            retry(10000),
            ev(
                Some("update"),
                "{\n  \"user\": \"ünï\",\n  \"n\": 1\n}",
                "17",
            ),
        ],
    );
}

//! The pure connection decisions: response classification, transient statuses, the
//! `Last-Event-ID` header value, `Retry-After` and the ready state.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use std::borrow::Cow;
use wasm_sse::state::{
    classify, is_event_stream, is_transient_status, last_event_id_header, retry_after_ms,
    ReadyState, Verdict,
};

// ---------------------------------------------------------------------------------------
// classify and is_event_stream

#[test]
fn classify_table() {
    let table: &[(u16, Option<&str>, Verdict)] = &[
        (200, Some("text/event-stream"), Verdict::Open),
        (200, Some("Text/Event-Stream; charset=utf-8"), Verdict::Open),
        (200, Some("TEXT/EVENT-STREAM"), Verdict::Open),
        (200, Some(" text/event-stream "), Verdict::Open),
        (200, Some("\ttext/event-stream\t"), Verdict::Open),
        (
            200,
            Some(" \t text/event-stream \t ;charset=utf-8"),
            Verdict::Open,
        ),
        (200, Some("text/event-stream;"), Verdict::Open),
        (200, Some("text/html"), Verdict::BadContentType),
        (200, Some("text/event-streamx"), Verdict::BadContentType),
        (200, Some("text/event"), Verdict::BadContentType),
        (
            200,
            Some("text/plain; x=text/event-stream"),
            Verdict::BadContentType,
        ),
        (200, Some("application/json"), Verdict::BadContentType),
        (200, Some(""), Verdict::BadContentType),
        (200, None, Verdict::BadContentType),
        (204, Some("text/event-stream"), Verdict::NoContent),
        (204, Some("text/html"), Verdict::NoContent),
        (204, None, Verdict::NoContent),
        (201, Some("text/event-stream"), Verdict::BadStatus),
        (206, Some("text/event-stream"), Verdict::BadStatus),
        (301, Some("text/event-stream"), Verdict::BadStatus),
        (304, None, Verdict::BadStatus),
        (404, Some("text/event-stream"), Verdict::BadStatus),
        (500, Some("text/event-stream"), Verdict::BadStatus),
        (503, None, Verdict::BadStatus),
        (0, None, Verdict::BadStatus),
    ];
    for &(status, content_type, expected) in table {
        assert_eq!(
            classify(status, content_type),
            expected,
            "status {status}, content type {content_type:?}"
        );
    }
}

#[test]
fn is_event_stream_table() {
    let table: &[(&str, bool)] = &[
        ("text/event-stream", true),
        ("Text/Event-Stream", true),
        ("text/event-stream; charset=utf-8", true),
        ("text/event-stream;charset=UTF-8;foo=bar", true),
        ("  text/event-stream  ", true),
        ("\t\ttext/event-stream", true),
        ("text/event-stream ; charset=utf-8", true),
        ("text/event-streamx", false),
        ("text/event", false),
        ("xtext/event-stream", false),
        ("text /event-stream", false),
        ("text/event-stream,", false),
        ("text/html; text/event-stream", false),
        ("", false),
        (";text/event-stream", false),
    ];
    for &(content_type, expected) in table {
        assert_eq!(
            is_event_stream(content_type),
            expected,
            "content type {content_type:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// is_transient_status

#[test]
fn transient_statuses() {
    let transient = [408, 425, 429, 500, 502, 503, 504, 507, 599];
    let lasting = [
        100, 200, 204, 301, 304, 400, 401, 403, 404, 405, 409, 410, 413, 422, 499, 501, 505, 600,
    ];
    for status in transient {
        assert!(is_transient_status(status), "{status} should be transient");
    }
    for status in lasting {
        assert!(
            !is_transient_status(status),
            "{status} should not be transient"
        );
    }
}

// ---------------------------------------------------------------------------------------
// last_event_id_header

#[test]
fn last_event_id_header_empty_and_ascii() {
    assert_eq!(last_event_id_header(""), None);
    for id in [
        "1",
        "abc",
        "event 42",
        " padded ",
        "~!@#$%^&*()",
        "\x7f",
        "a\tb",
    ] {
        let header = last_event_id_header(id);
        assert!(
            matches!(header, Some(Cow::Borrowed(same)) if std::ptr::eq(same, id)),
            "{id:?} should be borrowed as is, got {header:?}"
        );
    }
}

#[test]
fn last_event_id_header_non_ascii_is_utf8_bytes_as_latin1() {
    let table: &[(&str, &[u32])] = &[
        ("é", &[0xC3, 0xA9]),
        ("✓", &[0xE2, 0x9C, 0x93]),
        ("😀", &[0xF0, 0x9F, 0x98, 0x80]),
        ("aé1", &[0x61, 0xC3, 0xA9, 0x31]),
        ("\u{80}", &[0xC2, 0x80]),
        ("\u{FF}", &[0xC3, 0xBF]),
    ];
    for &(id, expected) in table {
        let header = last_event_id_header(id).expect("a header");
        assert!(
            matches!(header, Cow::Owned(_)),
            "{id:?} should be converted"
        );
        let chars: Vec<u32> = header.chars().map(u32::from).collect();
        assert_eq!(chars, expected, "id {id:?}");
    }
    assert_eq!(last_event_id_header("é").as_deref(), Some("\u{C3}\u{A9}"));
    let check = last_event_id_header("✓").unwrap();
    assert_eq!(check.chars().count(), 3);
    assert!(check.chars().all(|c| (c as u32) < 0x100));
    assert_eq!(last_event_id_header("😀").unwrap().chars().count(), 4);
}

#[test]
fn last_event_id_header_refuses_nul_cr_lf() {
    for id in [
        "\0", "a\0b", "\r", "a\rb", "\n", "a\nb", "\r\n", "é\n", "x\u{0}",
    ] {
        assert_eq!(last_event_id_header(id), None, "id {id:?}");
    }
}

/// Any string, with a bias towards the characters that matter here.
fn any_id() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        4 => any::<char>(),
        1 => prop::sample::select(vec!['\0', '\r', '\n', 'a', 'é', '✓', '😀', '\u{FF}', '\u{100}']),
    ];
    prop::collection::vec(chars, 0..12).prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    /// The header is the ID's UTF-8 bytes, one character each, or `None` exactly for the
    /// empty ID and IDs with NUL, CR or LF.
    #[test]
    fn last_event_id_header_round_trips(id in any_id()) {
        let refused = id.is_empty() || id.contains(['\0', '\r', '\n']);
        match last_event_id_header(&id) {
            None => prop_assert!(refused, "{:?} was refused", id),
            Some(header) => {
                prop_assert!(!refused, "{:?} was accepted as {:?}", id, header);
                prop_assert!(header.chars().all(|c| (c as u32) < 0x100), "{:?}", header);
                let bytes: Vec<u8> = header.chars().map(|c| c as u32 as u8).collect();
                prop_assert_eq!(bytes, id.as_bytes());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// retry_after_ms

/// Milliseconds since the epoch of a UTC date and time, by counting days year by year
/// and month by month.
fn epoch_ms(year: i64, month: u32, day: i64, hour: i64, minute: i64, second: i64) -> f64 {
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut days: i64 = (1970..year).map(|y| if leap(y) { 366 } else { 365 }).sum();
    let month_days = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    days += month_days[..(month - 1) as usize].iter().sum::<i64>();
    days += day - 1;
    (((days * 24 + hour) * 60 + minute) * 60 + second) as f64 * 1000.0
}

/// The IMF-fixdate of a UTC date and time, with its true day of the week.
fn imf_fixdate(year: i64, month: u32, day: i64, hour: i64, minute: i64, second: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // 1970-01-01 was a Thursday.
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let days = (epoch_ms(year, month, day, 0, 0, 0) / 86_400_000.0) as usize;
    format!(
        "{}, {day:02} {} {year} {hour:02}:{minute:02}:{second:02} GMT",
        WEEKDAYS[days % 7],
        MONTHS[(month - 1) as usize]
    )
}

#[test]
fn epoch_helper_agrees_with_known_instants() {
    assert_eq!(
        imf_fixdate(1994, 11, 6, 8, 49, 37),
        "Sun, 06 Nov 1994 08:49:37 GMT"
    );
    assert_eq!(
        imf_fixdate(1970, 1, 1, 0, 0, 0),
        "Thu, 01 Jan 1970 00:00:00 GMT"
    );
    assert_eq!(
        imf_fixdate(2000, 2, 29, 23, 59, 60),
        "Tue, 29 Feb 2000 23:59:60 GMT"
    );
    assert_eq!(epoch_ms(1970, 1, 1, 0, 0, 0), 0.0);
    assert_eq!(epoch_ms(1994, 11, 6, 8, 49, 37), 784_111_777_000.0);
    assert_eq!(epoch_ms(2000, 3, 1, 0, 0, 0), 951_868_800_000.0);
}

#[test]
fn retry_after_delta_seconds() {
    let table: &[(&str, Option<u64>)] = &[
        ("1", Some(1000)),
        ("0", Some(0)),
        ("120", Some(120_000)),
        (" 120 ", Some(120_000)),
        ("\t5\t", Some(5000)),
        ("007", Some(7000)),
        ("18446744073709551", Some(18_446_744_073_709_551_000)),
        ("18446744073709552", Some(u64::MAX)),
        ("99999999999999999999999999999999", Some(u64::MAX)),
        ("-1", None),
        ("+1", None),
        ("1.5", None),
        ("1e3", None),
        ("1 2", None),
        ("", None),
        ("   ", None),
        ("soon", None),
        ("0x10", None),
    ];
    for &(value, expected) in table {
        assert_eq!(retry_after_ms(value, 0.0), expected, "value {value:?}");
        // Delta-seconds do not depend on the clock.
        assert_eq!(retry_after_ms(value, 1.7e12), expected, "value {value:?}");
    }
}

#[test]
fn retry_after_http_date() {
    let date = "Sun, 06 Nov 1994 08:49:37 GMT";
    let at = epoch_ms(1994, 11, 6, 8, 49, 37);
    assert_eq!(at, 784_111_777_000.0);
    // (value, now, expected)
    let table: &[(&str, f64, Option<u64>)] = &[
        (date, at - 5000.0, Some(5000)),
        (date, at - 1.0, Some(1)),
        (date, at - 86_400_000.0, Some(86_400_000)),
        (date, at, Some(0)),
        (date, at + 1.0, Some(0)),
        (date, at + 1e9, Some(0)),
        (date, 0.0, Some(784_111_777_000)),
        ("  Sun, 06 Nov 1994 08:49:37 GMT  ", at - 5000.0, Some(5000)),
        ("Sun, 06 Nov 1994 08:49:38 GMT", at, Some(1000)),
        ("Sun, 06 Nov 1994 08:50:37 GMT", at, Some(60_000)),
        ("Mon, 07 Nov 1994 08:49:37 GMT", at, Some(86_400_000)),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0, Some(0)),
        ("Thu, 01 Jan 1970 00:00:01 GMT", 0.0, Some(1000)),
        // A leap second counts as one more second.
        ("Sun, 06 Nov 1994 08:49:60 GMT", at, Some(23_000)),
    ];
    for &(value, now, expected) in table {
        assert_eq!(
            retry_after_ms(value, now),
            expected,
            "value {value:?}, now {now}"
        );
    }
}

#[test]
fn retry_after_http_date_calendar() {
    // (year, month, day, hour, minute, second)
    let mut table: Vec<(i64, u32, i64, i64, i64, i64)> = vec![
        (2000, 2, 29, 0, 0, 0),
        (2000, 3, 1, 0, 0, 0),
        (1999, 12, 31, 23, 59, 59),
        (2038, 1, 19, 3, 14, 8),
        (2100, 2, 28, 12, 0, 0),
        (2100, 3, 1, 12, 0, 0),
        (2400, 2, 29, 0, 0, 0),
    ];
    table.extend((1..=12).map(|month| (2025, month, 15, 12, 34, 56)));
    table.extend((1..=12).map(|month| (2024, month, 1, 0, 0, 0)));
    for (year, month, day, hour, minute, second) in table {
        let value = imf_fixdate(year, month, day, hour, minute, second);
        let expected = epoch_ms(year, month, day, hour, minute, second) as u64;
        assert_eq!(
            retry_after_ms(&value, 0.0),
            Some(expected),
            "value {value:?}"
        );
    }
}

#[test]
fn retry_after_malformed_dates() {
    let table = [
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 06 November 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 gmt",
        "Sun, 06 Nov 1994 08:49:37 GMT extra",
        "Sun, 06 Nov 1994 25:00:00 GMT",
        // Signs are not digits.
        "Sun, 06 Nov 1994 -1:-1:-1 GMT",
        "Sun, +6 Nov 1994 +8:49:37 GMT",
        "Sun, 06 Nov -1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1994 08:49 GMT",
        "Sun, 06 Nov 1994 08:49:37:00 GMT",
        "Sun, 06 Nov 1994 08:49:xx GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, xx Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov year 08:49:37 GMT",
        "06 Nov 1994 08:49:37 GMT",
        "Sun 06 Nov 1994",
        "1994-11-06T08:49:37Z",
        // The obsolete formats, malformed.
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37",
        "Sunday, 06 Nov-94 08:49:37 GMT",
        "Sunday, 06-Nov-94-1 08:49:37 GMT",
        "Sun Nov 6 08:49:37 94",
        "Sun Nov 6 08:49:37 1994 GMT",
        "Sun 6 Nov 08:49:37 1994",
    ];
    for value in table {
        assert_eq!(retry_after_ms(value, 0.0), None, "value {value:?}");
    }
}

#[test]
fn retry_after_obsolete_http_dates() {
    // [RFC 9110, 5.6.7] "A recipient that parses a timestamp value in an HTTP header field
    // MUST accept all three HTTP-date formats."
    let at = epoch_ms(1994, 11, 6, 8, 49, 37);
    let now = epoch_ms(1994, 11, 6, 8, 49, 30);
    for value in [
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Sun Nov 06 08:49:37 1994",
    ] {
        assert_eq!(retry_after_ms(value, now), Some(7000), "value {value:?}");
        assert_eq!(
            retry_after_ms(value, 0.0),
            Some(at as u64),
            "value {value:?}"
        );
    }
    // "… MUST interpret a timestamp that appears to be more than 50 years in the future
    // as representing the most recent year in the past that had the same last two digits."
    let in_2026 = epoch_ms(2026, 12, 6, 0, 0, 0);
    // (two-digit year, the year meant when it is 2026-12-06)
    for (yy, year) in [
        (26, 2026),
        (27, 2027),
        (76, 2076),
        (77, 1977),
        (94, 1994),
        (0, 2000),
        (99, 1999),
    ] {
        let value = format!("Monday, 01-Jan-{yy:02} 00:00:00 GMT");
        let expected = epoch_ms(year, 1, 1, 0, 0, 0);
        let delay = retry_after_ms(&value, in_2026);
        assert_eq!(
            delay,
            Some((expected - in_2026).max(0.0) as u64),
            "value {value:?}, year {year}"
        );
    }
    // The same rule at the epoch: 50 years on is the end of 2019.
    for (yy, delay) in [
        (99, epoch_ms(1999, 1, 1, 0, 0, 0)),
        (0, epoch_ms(2000, 1, 1, 0, 0, 0)),
        (50, 0.0),
    ] {
        let value = format!("Monday, 01-Jan-{yy:02} 00:00:00 GMT");
        assert_eq!(
            retry_after_ms(&value, 0.0),
            Some(delay as u64),
            "value {value:?} in 1970"
        );
    }
}

#[test]
fn retry_after_never_panics_on_digits() {
    // Saturates instead of overflowing.
    let huge = "9".repeat(400);
    assert_eq!(retry_after_ms(&huge, 0.0), Some(u64::MAX));
    assert_eq!(retry_after_ms(&u64::MAX.to_string(), 0.0), Some(u64::MAX));
}

#[test]
fn retry_after_extreme_years_do_not_panic() {
    for value in [
        "Sun, 06 Nov 99999999999999 08:49:37 GMT",
        "Sun, 06 Jan -9223372036854775808 00:00:00 GMT",
        "Sun, 06 Nov 9223372036854775807 00:00:00 GMT",
    ] {
        let result = std::panic::catch_unwind(|| retry_after_ms(value, 0.0));
        assert!(result.is_ok(), "{value:?} panicked");
    }
}

proptest! {
    /// Any string: no panic, and an all-digit value is seconds times 1000.
    #[test]
    fn retry_after_any_delta(seconds in any::<u32>()) {
        prop_assert_eq!(
            retry_after_ms(&seconds.to_string(), 0.0),
            Some(u64::from(seconds) * 1000)
        );
    }

    /// A date `delay` ms after `now` gives `delay` back (to the second).
    #[test]
    fn retry_after_date_is_relative_to_now(
        year in 1970i64..2400,
        month in 1u32..=12,
        day in 1i64..=28,
        hour in 0i64..24,
        minute in 0i64..60,
        second in 0i64..60,
        before in 0u64..10_000_000,
    ) {
        let value = imf_fixdate(year, month, day, hour, minute, second);
        let at = epoch_ms(year, month, day, hour, minute, second);
        prop_assert_eq!(retry_after_ms(&value, at - before as f64), Some(before));
        prop_assert_eq!(retry_after_ms(&value, at + before as f64), Some(0));
    }
}

// ---------------------------------------------------------------------------------------
// ReadyState

#[test]
fn ready_state_discriminants() {
    assert_eq!(ReadyState::Connecting as u8, 0);
    assert_eq!(ReadyState::Open as u8, 1);
    assert_eq!(ReadyState::Closed as u8, 2);
    assert_eq!(std::mem::size_of::<ReadyState>(), 1);
}

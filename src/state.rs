//! Pure connection decisions: what a response means, and the ready state.
//!
//! Nothing here touches the network, so every rule is tested natively.

use std::borrow::Cow;

/// \[spec\] "The readyState attribute represents the state of the connection."
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ReadyState {
    /// "The connection has not yet been established, or it was closed and the user agent
    /// is reconnecting."
    Connecting = 0,
    /// "The user agent has an open connection and is dispatching events as it receives them."
    Open = 1,
    /// "The connection is not open, and the user agent is not trying to reconnect."
    Closed = 2,
}

/// What a response's status and `Content-Type` mean for the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Announce the connection and read the body.
    Open,
    /// 204 No Content: the server asks the client to stop; close without reconnecting.
    NoContent,
    /// The status is not 200: fail the connection (unless a retry policy takes it).
    BadStatus,
    /// Status 200 but not `text/event-stream`: fail the connection.
    BadContentType,
}

/// Classifies a response.
///
/// \[spec\] "if res's status is not 200, or if res's `Content-Type` is not
/// `text/event-stream`, then fail the connection. Otherwise, announce the connection and
/// interpret res's body line by line."
///
/// \[spec\] "Clients will reconnect if the connection is closed; a client can be told to
/// stop reconnecting using the HTTP 204 No Content response code."
pub fn classify(status: u16, content_type: Option<&str>) -> Verdict {
    match status {
        204 => Verdict::NoContent,
        200 if content_type.is_some_and(is_event_stream) => Verdict::Open,
        200 => Verdict::BadContentType,
        _ => Verdict::BadStatus,
    }
}

/// Whether a `Content-Type` value's MIME type essence is `text/event-stream`: compared
/// without case, parameters (such as `charset=utf-8`) allowed.
pub fn is_event_stream(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default();
    essence
        .trim_matches(|c| matches!(c, ' ' | '\t'))
        .eq_ignore_ascii_case("text/event-stream")
}

/// Statuses that a later attempt may answer differently: 408, 425, 429, and 5xx
/// except 501 and 505 (which will not change on a retry).
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 425 | 429)
        || ((500..600).contains(&status) && !matches!(status, 501 | 505))
}

/// The `Last-Event-ID` header value for a last event ID string.
///
/// \[spec\] "If the EventSource object's last event ID string is not the empty string, set
/// (`Last-Event-ID`, last event ID string, encoded as UTF-8) in request's header list."
///
/// `fetch` takes header values as byte strings: a JavaScript string whose characters are
/// all below U+0100, one byte each. Characters above U+00FF would make it throw, so the
/// UTF-8 bytes are passed one per character, which puts exactly those bytes on the wire.
/// `None` for the empty string, and for IDs that no header can carry (CR, LF or NUL,
/// which the parser never stores but a caller-supplied ID may hold).
pub fn last_event_id_header(id: &str) -> Option<Cow<'_, str>> {
    if id.is_empty() || id.contains(['\0', '\r', '\n']) {
        return None;
    }
    if id.is_ascii() {
        return Some(Cow::Borrowed(id));
    }
    Some(Cow::Owned(id.bytes().map(char::from).collect()))
}

/// The delay a `Retry-After` header asks for, in milliseconds: delta-seconds, or an
/// HTTP-date compared with `now_ms` (milliseconds since the Unix epoch). A date in the
/// past means no delay; anything else unparseable is `None`.
pub fn retry_after_ms(value: &str, now_ms: f64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: u64 = value.parse().unwrap_or(u64::MAX);
        return Some(seconds.saturating_mul(1000));
    }
    let at = http_date_ms(value, now_ms)?;
    let delay = at - now_ms;
    Some(if delay > 0.0 { delay as u64 } else { 0 })
}

/// Parses an HTTP-date to milliseconds since the epoch. \[RFC 9110, 5.6.7\] "A recipient
/// that parses a timestamp value in an HTTP header field MUST accept all three HTTP-date
/// formats": IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete RFC 850
/// `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`. The day name
/// is not checked.
fn http_date_ms(value: &str, now_ms: f64) -> Option<f64> {
    let mut tokens = [""; 6];
    let mut count = 0;
    for token in value.split_ascii_whitespace() {
        *tokens.get_mut(count)? = token;
        count += 1;
    }
    let (day, month, year, time) = match tokens.get(..count)? {
        [_, day, month, year, time, "GMT"] => (*day, *month, Year::Full(year), *time),
        [_, date, time, "GMT"] => {
            let mut date = date.split('-');
            let (day, month, year) = (date.next()?, date.next()?, date.next()?);
            if date.next().is_some() || year.len() != 2 {
                return None;
            }
            (day, month, Year::TwoDigit(year), *time)
        }
        [_, month, day, time, year] => (*day, *month, Year::Full(year), *time),
        _ => return None,
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let day = digits(day, 31).filter(|d| *d >= 1)?;
    let mut hms = time.split(':');
    let (h, m, s) = (
        digits(hms.next()?, 23)?,
        digits(hms.next()?, 59)?,
        digits(hms.next()?, 60)?,
    );
    if hms.next().is_some() {
        return None;
    }
    let at = |year: i64| {
        ((days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s) * 1000) as f64
    };
    match year {
        Year::Full(year) if year.len() == 4 => Some(at(digits(year, 9999).filter(|y| *y >= 1)?)),
        Year::Full(_) => None,
        // [RFC 9110, 5.6.7] "Recipients of a timestamp value in rfc850-date format, which
        // uses a two-digit year, MUST interpret a timestamp that appears to be more than
        // 50 years in the future as representing the most recent year in the past that
        // had the same last two digits."
        Year::TwoDigit(year) => {
            let fifty_years_on = now_ms + 50.0 * 365.2425 * 86_400_000.0;
            let mut year = 1900 + digits(year, 99)?;
            while year + 100 <= 9999 && at(year + 100) <= fifty_years_on {
                year += 100;
            }
            Some(at(year))
        }
    }
}

/// An HTTP-date's year, as written.
enum Year<'a> {
    Full(&'a str),
    TwoDigit(&'a str),
}

/// Digits only (no signs), at most `max`: the bounds keep the date arithmetic far from
/// overflow.
fn digits(s: &str, max: i64) -> Option<i64> {
    let n = s
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| s.parse().ok())??;
    (n <= max).then_some(n)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

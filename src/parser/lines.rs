//! Splitting the byte stream into lines.
//!
//! \[spec\] "The stream must then be parsed by reading everything line by line, with a
//! U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a single U+000A LINE
//! FEED (LF) character not preceded by a U+000D CARRIAGE RETURN (CR) character, and a
//! single U+000D CARRIAGE RETURN (CR) character not followed by a U+000A LINE FEED (LF)
//! character being the ways in which a line can end."
//!
//! Lines are split on bytes, before UTF-8 decoding: CR and LF never occur inside a
//! multi-byte UTF-8 sequence, and a decoder meeting an ASCII byte in the middle of one
//! ends it there, so decoding each line alone gives what decoding the stream would.
//!
//! The lines that lie wholly inside a chunk are checked as UTF-8 once, together: one
//! pass of the validator over the chunk costs far less than one per field, and every
//! cut the parser makes (at CR, LF, `:` and space) falls between characters, so the
//! fields of a valid run of lines are valid text without another check.

use super::growth::reserve_within;
use super::ParseError;
use std::borrow::Cow;
use std::ops::RangeFrom;

/// The UTF-8 byte order mark.
/// \[spec\] "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Beyond this, a partial-line buffer is released after use rather than kept for reuse,
/// so one huge event does not pin its memory for the rest of a long-lived stream.
const KEEP_CAPACITY: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bom {
    /// At the start of the stream, having matched this many bytes of a BOM.
    Expecting(usize),
    /// Past the start of the stream.
    Done,
}

/// A complete line, without its line ending.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Line<'a> {
    /// Part of a run of lines already checked as valid UTF-8.
    Text(&'a str),
    /// Not checked yet: decoded when a field is taken from it.
    Bytes(&'a [u8]),
}

impl<'a> Line<'a> {
    pub(crate) fn as_bytes(self) -> &'a [u8] {
        match self {
            Line::Text(text) => text.as_bytes(),
            Line::Bytes(bytes) => bytes,
        }
    }

    /// The line from byte `range.start` on; the parser cuts only after ASCII bytes, so a
    /// `Text` line stays text.
    pub(crate) fn slice(self, range: RangeFrom<usize>) -> Line<'a> {
        match self {
            Line::Text(text) => match text.get(range.clone()) {
                Some(rest) => Line::Text(rest),
                None => Line::Bytes(text.as_bytes().get(range).unwrap_or_default()),
            },
            Line::Bytes(bytes) => Line::Bytes(bytes.get(range).unwrap_or_default()),
        }
    }

    /// The line's text: \[spec\] "UTF-8 decode", with U+FFFD for each invalid sequence
    /// (Rust's lossy decoding substitutes per maximal subpart, as the Encoding Standard does).
    pub(crate) fn decode(self) -> Cow<'a, str> {
        match self {
            Line::Text(text) => Cow::Borrowed(text),
            // Lines that could not be checked with their chunk: one spanning two chunks,
            // or one in a chunk with invalid UTF-8 somewhere.
            Line::Bytes(bytes) => match simdutf8::basic::from_utf8(bytes) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(bytes),
            },
        }
    }
}

/// Turns chunks of bytes into complete lines, keeping an unfinished line between chunks.
///
/// Each byte is examined once: a partial line is appended to, never re-scanned, so
/// the cost is linear in the input whatever the chunking.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    /// The bytes of a line whose end has not arrived yet.
    partial: Vec<u8>,
    /// The previous chunk ended with CR: an LF at the start of the next one completes
    /// the same CRLF line ending rather than ending an empty line.
    after_cr: bool,
    bom: Bom,
    max_line: usize,
    /// How many bytes the line-ending search has examined (checks linear time).
    #[cfg(test)]
    scanned: usize,
}

impl LineSplitter {
    pub(crate) fn new(max_line: usize) -> Self {
        LineSplitter {
            partial: Vec::new(),
            after_cr: false,
            bom: Bom::Expecting(0),
            max_line,
            #[cfg(test)]
            scanned: 0,
        }
    }

    /// Forgets everything about the current stream: the next byte starts a new one.
    pub(crate) fn reset(&mut self) {
        self.release_partial();
        self.after_cr = false;
        self.bom = Bom::Expecting(0);
    }

    /// Feeds one chunk, calling `on_line` with each line completed by it (without its
    /// line ending).
    pub(crate) fn feed<F>(&mut self, chunk: &[u8], mut on_line: F) -> Result<(), ParseError>
    where
        F: FnMut(Line<'_>) -> Result<(), ParseError>,
    {
        let mut rest = self.strip_bom(chunk)?;
        // An empty chunk says nothing about the byte after the CR: keep waiting for it.
        if self.after_cr && !rest.is_empty() {
            self.after_cr = false;
            if let Some((b'\n', tail)) = rest.split_first() {
                rest = tail;
            }
        }
        // The complete lines from `rest` on, as text, once they have been checked; `None`
        // before the check, or when it failed.
        let mut text: Option<&str> = None;
        let mut checked = false;
        while let Some(pos) = memchr::memchr2(b'\r', b'\n', rest) {
            #[cfg(test)]
            {
                self.scanned += pos + 1;
            }
            // A line continuing the previous chunk's partial one is decoded on its own,
            // so that a character cut by the chunk boundary does not fail the check.
            if !checked && self.partial.is_empty() {
                checked = true;
                text =
                    complete_lines(rest).and_then(|lines| simdutf8::basic::from_utf8(lines).ok());
            }
            let Some((line, ending_and_tail)) = rest.split_at_checked(pos) else {
                break;
            };
            let Some((&ending, mut tail)) = ending_and_tail.split_first() else {
                break;
            };
            let line = match text.and_then(|t| t.get(..pos)) {
                Some(valid) => Line::Text(valid),
                None => Line::Bytes(line),
            };
            self.complete_line(line, &mut on_line)?;
            if ending == b'\r' {
                match tail.split_first() {
                    Some((b'\n', after_lf)) => tail = after_lf,
                    Some(_) => {}
                    // The LF of a CRLF may be the first byte of the next chunk.
                    None => self.after_cr = true,
                }
            }
            text = text.and_then(|t| t.get(rest.len() - tail.len()..));
            rest = tail;
        }
        #[cfg(test)]
        {
            self.scanned += rest.len();
        }
        if !rest.is_empty() {
            self.check_len(self.partial.len().saturating_add(rest.len()))?;
            self.append_partial(rest);
        }
        Ok(())
    }

    /// The bytes of the unfinished last line, consumed (used at the end of the stream).
    pub(crate) fn take_partial(&mut self) -> Vec<u8> {
        if let Bom::Expecting(matched) = self.bom {
            // The stream ended inside what might have been a BOM: those bytes are data.
            self.bom = Bom::Done;
            self.partial
                .extend_from_slice(BOM.get(..matched).unwrap_or_default());
        }
        std::mem::take(&mut self.partial)
    }

    /// Drops one leading BOM, even when it arrives split over chunks. Bytes that began
    /// like a BOM but were not one are given back as the start of the first line.
    fn strip_bom<'a>(&mut self, chunk: &'a [u8]) -> Result<&'a [u8], ParseError> {
        let Bom::Expecting(mut matched) = self.bom else {
            return Ok(chunk);
        };
        let mut rest = chunk;
        while let Some((&byte, tail)) = rest.split_first() {
            if BOM.get(matched) != Some(&byte) {
                self.bom = Bom::Done;
                self.partial
                    .extend_from_slice(BOM.get(..matched).unwrap_or_default());
                self.check_len(self.partial.len())?;
                return Ok(rest);
            }
            matched += 1;
            rest = tail;
            if matched == BOM.len() {
                self.bom = Bom::Done;
                return Ok(rest);
            }
        }
        self.bom = Bom::Expecting(matched);
        Ok(rest)
    }

    fn complete_line<F>(&mut self, line: Line<'_>, on_line: &mut F) -> Result<(), ParseError>
    where
        F: FnMut(Line<'_>) -> Result<(), ParseError>,
    {
        let bytes = line.as_bytes();
        if self.partial.is_empty() {
            // The common case: the whole line is inside this chunk; no copy.
            self.check_len(bytes.len())?;
            return on_line(line);
        }
        self.check_len(self.partial.len().saturating_add(bytes.len()))?;
        self.append_partial(bytes);
        let joined = std::mem::take(&mut self.partial);
        let result = on_line(Line::Bytes(&joined));
        if joined.capacity() <= KEEP_CAPACITY {
            self.partial = joined;
            self.partial.clear();
        }
        result
    }

    /// Appends to the unfinished line, which `check_len` has kept within the limit,
    /// growing its buffer no further than the limit.
    fn append_partial(&mut self, bytes: &[u8]) {
        let (len, capacity) = (self.partial.len(), self.partial.capacity());
        if let Some(more) = reserve_within(len, capacity, bytes.len(), self.max_line) {
            self.partial.reserve_exact(more);
        }
        self.partial.extend_from_slice(bytes);
    }

    fn check_len(&mut self, len: usize) -> Result<(), ParseError> {
        if len > self.max_line {
            self.release_partial();
            return Err(ParseError::EventTooLarge {
                limit: self.max_line,
            });
        }
        Ok(())
    }

    fn release_partial(&mut self) {
        if self.partial.capacity() > KEEP_CAPACITY {
            self.partial = Vec::new();
        } else {
            self.partial.clear();
        }
    }
}

/// `bytes` up to and including its last CR or LF: the lines that end inside it.
fn complete_lines(bytes: &[u8]) -> Option<&[u8]> {
    memchr::memrchr2(b'\r', b'\n', bytes).and_then(|last| bytes.get(..=last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(splitter: &mut LineSplitter, chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut lines = Vec::new();
        for chunk in chunks {
            splitter
                .feed(chunk, |line| {
                    lines.push(line.as_bytes().to_vec());
                    Ok(())
                })
                .unwrap();
        }
        lines
    }

    #[test]
    fn a_partial_line_is_never_rescanned_so_cost_is_linear() {
        // A 16 MiB line fed in 1 KiB chunks: the search examines each byte once,
        // exactly as when the line arrives whole.
        let line = vec![b'x'; 16 * 1024 * 1024];
        let mut chunked = LineSplitter::new(usize::MAX);
        let mut input = line.clone();
        input.extend_from_slice(b"\n");
        let mut count = 0;
        for chunk in input.chunks(1024) {
            chunked
                .feed(chunk, |l| {
                    assert_eq!(l.as_bytes().len(), line.len());
                    count += 1;
                    Ok(())
                })
                .unwrap();
        }
        assert_eq!(count, 1);
        assert_eq!(chunked.scanned, input.len());

        let mut whole = LineSplitter::new(usize::MAX);
        split(&mut whole, &[&input]);
        assert_eq!(whole.scanned, chunked.scanned);
    }

    #[test]
    fn the_unfinished_line_grows_no_further_than_the_limit() {
        // 300-byte pieces of one line under a 1000-byte limit: doubling alone would reach
        // 1200 bytes of capacity at the third piece.
        let mut splitter = LineSplitter::new(1000);
        for _ in 0..3 {
            splitter.feed(&[b'x'; 300], |_| Ok(())).unwrap();
        }
        splitter.feed(&[b'x'; 100], |_| Ok(())).unwrap();
        assert_eq!(splitter.partial.len(), 1000);
        assert!(
            splitter.partial.capacity() <= 1000,
            "{}",
            splitter.partial.capacity()
        );
        let mut lines = 0;
        splitter
            .feed(b"\n", |line| {
                assert_eq!(line.as_bytes().len(), 1000);
                lines += 1;
                Ok(())
            })
            .unwrap();
        assert_eq!(lines, 1);
    }

    #[test]
    fn a_huge_line_frees_its_buffer_after_use() {
        let mut splitter = LineSplitter::new(usize::MAX);
        let big = vec![b'y'; 1024 * 1024];
        split(&mut splitter, &[&big, b"\n"]);
        assert!(splitter.partial.capacity() <= KEEP_CAPACITY);
    }

    #[test]
    fn the_limit_is_enforced_while_the_line_is_still_partial() {
        let mut splitter = LineSplitter::new(10);
        assert!(splitter.feed(b"0123456789", |_| Ok(())).is_ok());
        assert_eq!(
            splitter.feed(b"x", |_| Ok(())),
            Err(ParseError::EventTooLarge { limit: 10 })
        );
        assert!(splitter.partial.is_empty());
    }

    #[test]
    fn a_lone_cr_at_the_end_of_a_chunk_ends_the_line_at_once() {
        // The line is handed out without waiting for the next chunk to rule out an LF.
        let mut splitter = LineSplitter::new(100);
        assert_eq!(split(&mut splitter, &[b"abc\r"]), vec![b"abc".to_vec()]);
        assert_eq!(split(&mut splitter, &[b"\ndef\n"]), vec![b"def".to_vec()]);
    }
}

//! Errors the parser reports instead of misbehaving.

/// Why the parser stopped. After an error, [`Parser::feed`](super::Parser::feed) keeps
/// returning it until [`Parser::reset`](super::Parser::reset) starts a new stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// A line, or the data of one event, grew past the configured maximum.
    /// Raised as soon as the limit is crossed, so memory never grows past it.
    #[error("event stream line or event data exceeds the maximum size of {limit} bytes")]
    EventTooLarge {
        /// The configured maximum, in bytes.
        limit: usize,
    },
}

impl ParseError {
    /// A stable, machine-readable code for the error, used by the JS bindings as `reason`.
    pub fn reason(&self) -> &'static str {
        match self {
            ParseError::EventTooLarge { .. } => "event_too_large",
        }
    }
}

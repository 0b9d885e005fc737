//! Growing a buffer towards the parser's size limit.

/// How many bytes to `reserve_exact` so that a buffer of `len` bytes and `capacity` can
/// take `additional` more, when its contents may never exceed `limit` (the caller has
/// checked that `len + additional` does not): `None` when it has room already.
///
/// The capacity doubles, as `Vec`'s own growth does, so appending stays linear in the
/// input; but it stops at `limit`. Left to `Vec`, a buffer that reaches a limit that is not
/// one of its doubling steps can hold nearly twice the limit in capacity (an event of
/// 12 MiB and a bit in 3 KiB lines grows the data buffer to 24 MiB under a 16 MiB limit),
/// and `maxEventSize` is how callers bound the memory one connection may take.
pub(crate) fn reserve_within(
    len: usize,
    capacity: usize,
    additional: usize,
    limit: usize,
) -> Option<usize> {
    let needed = len.saturating_add(additional);
    if needed <= capacity {
        return None;
    }
    let target = capacity.saturating_mul(2).min(limit).max(needed);
    Some(target - len)
}

#[cfg(test)]
mod tests {
    use super::reserve_within;

    #[test]
    fn doubles_until_the_limit_then_stops_there() {
        assert_eq!(reserve_within(0, 0, 300, 1000), Some(300));
        assert_eq!(reserve_within(300, 300, 300, 1000), Some(300)); // 600
        assert_eq!(reserve_within(600, 600, 300, 1000), Some(400)); // 1000, not 1200
        assert_eq!(reserve_within(900, 1000, 100, 1000), None);
    }

    #[test]
    fn never_less_than_what_is_needed() {
        // A single large append, or a limit the caller allows past (the data buffer's LF).
        assert_eq!(reserve_within(10, 16, 500, 1000), Some(500));
        assert_eq!(reserve_within(1000, 1000, 1, 1000), Some(1));
    }
}

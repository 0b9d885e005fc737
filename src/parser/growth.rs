//! Growing a buffer towards the parser's size limit.

/// How many bytes to `reserve_exact` so that a buffer of `len` bytes and `capacity` can
/// take `additional` more, when its contents may never exceed `limit` (the caller has
/// checked that `len + additional` does not): `None` when it has room already.
///
/// The capacity doubles, as `Vec`'s own growth does, so appending stays linear in the
/// input; past [`LARGE`] it grows by half; and it stops at `limit`. Left to `Vec`, a
/// buffer that reaches a limit that is not one of its doubling steps can hold nearly twice
/// the limit in capacity (an event of 12 MiB and a bit in 3 KiB lines grows the data
/// buffer to 24 MiB under a 16 MiB limit), and `maxEventSize` is how callers bound the
/// memory one connection may take.
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
    let grown = if capacity >= LARGE {
        capacity.saturating_add(capacity / 2)
    } else {
        capacity.saturating_mul(2)
    };
    let target = grown.min(limit).max(needed);
    Some(target - len)
}

/// Past this capacity a buffer grows by half rather than doubling. Growing copies the
/// buffer into a new block and frees the old one, and wasm memory never shrinks: when each
/// block doubles, it is larger than all the freed ones before it together, so none can be
/// reused and a buffer grown to N bytes leaves about N more behind. Growing by half, a new
/// block fits in the space the earlier ones left after a few steps: a 20 MiB event grew
/// wasm memory by 44–63 MiB (median 51, 7 runs of `faults.test.mjs`) instead of 64–69 MiB
/// (median 68). Appending stays linear.
const LARGE: usize = 1024 * 1024;

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
    fn grows_by_half_past_a_mebibyte() {
        const M: usize = 1024 * 1024;
        // Under 1 MiB of capacity it doubles; from 1 MiB on it grows by half.
        assert_eq!(reserve_within(M - 1, M - 1, 1, 64 * M), Some(M - 1));
        assert_eq!(reserve_within(2 * M, 2 * M, 1, 64 * M), Some(M));
        // Half would be 60 MiB: the limit stops it at 50.
        assert_eq!(reserve_within(40 * M, 40 * M, 1, 50 * M), Some(10 * M));
    }

    #[test]
    fn never_less_than_what_is_needed() {
        // A single large append, or a limit the caller allows past (the data buffer's LF).
        assert_eq!(reserve_within(10, 16, 500, 1000), Some(500));
        assert_eq!(reserve_within(1000, 1000, 1, 1000), Some(1));
    }
}

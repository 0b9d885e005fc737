//! A server restart seen by 10,000 clients at once: the retry policy run for each of them,
//! with seeded jitter samples, to see whether they come back in lockstep or spread out.
//!
//! Every client loses its connection at t = 0. The server accepts again at `down_ms`; an
//! attempt before that fails at once (connection refused) and the policy decides again.
//! `cargo test --test reconnect_spread -- --nocapture` prints the tables.
#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Write as _;
use wasm_sse::retry::{Backoff, Decision, Failure, RetryPolicy, RetryState};

const CLIENTS: usize = 10_000;
/// The spec's default reconnection time, which the backoff starts from.
const BASE: u64 = 3000;
/// The width of the window in which a burst of reconnects is counted.
const WINDOW: u64 = 100;
/// Long enough for a few failed attempts with every policy below.
const DOWN_MS: u64 = 10_000;
/// The jitter samples' seed; the assertions hold for other seeds too (checked for 1 to 40).
const SEED: u64 = 0x5eed_2026;

// ---------------------------------------------------------------------------------------
// Helpers

/// SplitMix64: a fixed seed gives the same samples on every run and platform, so the
/// figures printed are the figures asserted.
struct Samples(u64);

impl Samples {
    /// A uniform sample in `[0, 1)`, as `Math.random()` gives the transport.
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn spec() -> RetryPolicy {
    RetryPolicy::spec()
}

fn jitter(fraction: f64) -> RetryPolicy {
    RetryPolicy::spec().backoff(Backoff::default().jitter(fraction))
}

/// When each client made each attempt, and when it got through.
struct Restart {
    /// `attempts[n - 1]`: the times (ms after the restart) at which attempt `n` was made,
    /// one per client that made it.
    attempts: Vec<Vec<u64>>,
    /// The time of each client's first attempt once the server accepts again.
    arrivals: Vec<u64>,
}

impl Restart {
    /// How many attempts reached the server while it was down.
    fn refused(&self) -> usize {
        self.attempts.iter().map(Vec::len).sum::<usize>() - self.arrivals.len()
    }
}

fn restart(policy: &RetryPolicy, down_ms: u64, seed: u64) -> Restart {
    let mut samples = Samples(seed);
    let mut attempts: Vec<Vec<u64>> = Vec::new();
    let mut arrivals = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        let mut state = RetryState::new(policy);
        // Each client had a healthy connection before the restart, so it starts counting
        // attempts from zero.
        state.opened(-60_000.0);
        state.event_received();
        let mut now = 0;
        loop {
            let decision = policy.decide(
                &mut state,
                Failure::Disconnected,
                now as f64,
                samples.next(),
            );
            let Decision::Reconnect { delay, attempt } = decision else {
                panic!("the policy gave up: {decision:?}");
            };
            assert!(attempt <= 50, "still down after 50 attempts");
            now += delay;
            let n = attempt as usize;
            if attempts.len() < n {
                attempts.resize_with(n, Vec::new);
            }
            attempts[n - 1].push(now);
            if now >= down_ms {
                arrivals.push(now);
                break;
            }
        }
    }
    Restart { attempts, arrivals }
}

/// The distribution of a set of reconnect times, in ms.
#[derive(Debug, Clone, Copy)]
struct Spread {
    clients: usize,
    min: u64,
    p10: u64,
    median: u64,
    p90: u64,
    max: u64,
    /// The most reconnects in any `WINDOW` ms: the herd the server has to take at once.
    busiest: usize,
}

impl Spread {
    fn of(times: &[u64]) -> Spread {
        assert!(!times.is_empty());
        let mut sorted = times.to_vec();
        sorted.sort_unstable();
        // Nearest rank: the smallest time at or below which `p` percent of the clients lie.
        let rank = |p: usize| sorted[(p * sorted.len()).div_ceil(100) - 1];
        let mut busiest = 0;
        let mut end = 0;
        for (start, &t) in sorted.iter().enumerate() {
            while end < sorted.len() && sorted[end] < t + WINDOW {
                end += 1;
            }
            busiest = busiest.max(end - start);
        }
        Spread {
            clients: sorted.len(),
            min: sorted[0],
            p10: rank(10),
            median: rank(50),
            p90: rank(90),
            max: sorted[sorted.len() - 1],
            busiest,
        }
    }

    fn busiest_share(&self) -> f64 {
        self.busiest as f64 / self.clients as f64
    }
}

/// The most reconnects a `WINDOW` may hold when `CLIENTS` are spread evenly over `width`
/// ms: the even share λ, plus five standard deviations (√λ, as for a Poisson count), since
/// the busiest of a few hundred windows lies a few deviations above the mean.
fn herd_bound(width: u64) -> f64 {
    let even = CLIENTS as f64 * WINDOW as f64 / width as f64;
    even + 5.0 * even.sqrt()
}

/// Asserts that no `WINDOW` of `spread` holds more than `herd_bound(width)`.
fn assert_spread_over(spread: &Spread, width: u64) {
    let bound = herd_bound(width);
    assert!(
        (spread.busiest as f64) < bound,
        "{} in one window, bound {bound}",
        spread.busiest
    );
}

/// Asserts that p10, the median and p90 of `spread` are within `tolerance` ms of `want`.
fn assert_percentiles(spread: &Spread, want: [u64; 3], tolerance: u64) {
    let got = [spread.p10, spread.median, spread.p90];
    for (got, want) in got.into_iter().zip(want) {
        assert!(
            got.abs_diff(want) <= tolerance,
            "{got} should be about {want}: {spread:?}"
        );
    }
}

fn row(table: &mut String, label: &str, spread: &Spread) {
    let s = spread;
    writeln!(
        table,
        "| {label} | {} | {} | {} | {} | {} | {} | {} ({:.1} %) |",
        s.clients,
        s.min,
        s.p10,
        s.median,
        s.p90,
        s.max,
        s.busiest,
        100.0 * s.busiest_share()
    )
    .unwrap();
}

/// A Markdown table of each attempt's spread and of the arrivals, printed in one piece
/// so that tables of tests running in parallel do not interleave.
fn print(title: &str, runs: &[(&str, &Restart)], with_attempts: bool) {
    let mut table = format!(
        "\n{title}\n\n| policy | clients | min | p10 | median | p90 | max | busiest {WINDOW} ms |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n"
    );
    for (name, run) in runs {
        if with_attempts {
            for (n, times) in run.attempts.iter().enumerate() {
                row(
                    &mut table,
                    &format!("{name}, attempt {}", n + 1),
                    &Spread::of(times),
                );
            }
        }
        row(
            &mut table,
            &format!("{name}, back"),
            &Spread::of(&run.arrivals),
        );
    }
    if with_attempts {
        table.push('\n');
        for (name, run) in runs {
            writeln!(
                table,
                "{name}: {} attempts refused while down",
                run.refused()
            )
            .unwrap();
        }
    }
    print!("{table}");
}

// ---------------------------------------------------------------------------------------
// A server that is back at once

#[test]
fn without_jitter_every_client_reconnects_in_the_same_millisecond() {
    for (name, policy) in [("spec", spec()), ("backoff, jitter 0", jitter(0.0))] {
        let run = restart(&policy, 0, SEED);
        assert_eq!(run.attempts.len(), 1, "{name}: one attempt each");
        let spread = Spread::of(&run.arrivals);
        assert_eq!((spread.min, spread.max), (BASE, BASE), "{name}");
        assert_eq!(spread.busiest, CLIENTS, "{name}: all in one window");
    }
}

#[test]
fn default_jitter_spreads_the_reconnects_over_the_upper_half_of_the_reconnection_time() {
    let run = restart(&jitter(0.5), 0, SEED);
    let s = Spread::of(&run.arrivals);
    // Backoff docs: the delay less a random part of at most `jitter` of it.
    assert!(s.min >= BASE / 2 && s.max <= BASE, "{s:?}");
    // Uniform over [1500, 3000]: every part of that range is used...
    assert!(s.min < BASE / 2 + 10 && s.max > BASE - 10, "{s:?}");
    assert_percentiles(&s, [1650, 2250, 2850], 30);
    // ...and no 100 ms holds much more than its even share (667).
    assert_spread_over(&s, BASE / 2);
}

#[test]
fn full_jitter_spreads_the_reconnects_over_the_whole_reconnection_time() {
    let run = restart(&jitter(1.0), 0, SEED);
    let s = Spread::of(&run.arrivals);
    assert!(s.max <= BASE, "{s:?}");
    assert!(s.min < 10 && s.max > BASE - 10, "{s:?}");
    assert_percentiles(&s, [300, 1500, 2700], 50);
    assert_spread_over(&s, BASE);
}

#[test]
fn more_jitter_means_a_smaller_herd() {
    let herd = |policy: &RetryPolicy| Spread::of(&restart(policy, 0, SEED).arrivals).busiest;
    let (none, half, full) = (herd(&spec()), herd(&jitter(0.5)), herd(&jitter(1.0)));
    assert!(none > 10 * half && half > full, "{none} > {half} > {full}");
    let runs = [0.0, 0.5, 1.0].map(|j| restart(&jitter(j), 0, SEED));
    let spec_run = restart(&spec(), 0, SEED);
    print(
        &format!("{CLIENTS} clients, server back at once (ms after the restart)"),
        &[
            ("spec (no backoff)", &spec_run),
            ("backoff, jitter 0", &runs[0]),
            ("backoff, jitter 0.5", &runs[1]),
            ("backoff, jitter 1", &runs[2]),
        ],
        false,
    );
}

// ---------------------------------------------------------------------------------------
// A server that stays down for 10 s

#[test]
fn without_jitter_clients_stay_in_lockstep_through_every_failed_attempt() {
    // (policy, the time of each attempt, the arrival time)
    let table = [
        ("spec", spec(), vec![3000, 6000, 9000, 12_000], 12_000),
        (
            "backoff, jitter 0",
            jitter(0.0),
            vec![3000, 9000, 21_000],
            21_000,
        ),
    ];
    for (name, policy, times, back) in table {
        let run = restart(&policy, DOWN_MS, SEED);
        let attempts: Vec<(u64, u64, usize)> = run
            .attempts
            .iter()
            .map(|t| {
                let s = Spread::of(t);
                (s.min, s.max, s.clients)
            })
            .collect();
        let expected: Vec<(u64, u64, usize)> = times.iter().map(|&t| (t, t, CLIENTS)).collect();
        assert_eq!(attempts, expected, "{name}");
        let arrivals = Spread::of(&run.arrivals);
        assert_eq!(
            (arrivals.min, arrivals.max, arrivals.busiest),
            (back, back, CLIENTS),
            "{name}"
        );
        assert_eq!(run.refused(), (times.len() - 1) * CLIENTS, "{name}");
    }
}

#[test]
fn default_jitter_attempts_never_overlap_and_spread_further_each_time() {
    let run = restart(&jitter(0.5), DOWN_MS, SEED);
    let spreads: Vec<Spread> = run.attempts.iter().map(|t| Spread::of(t)).collect();
    // Attempt n waits between half and all of BASE × 2^(n-1), so it is made between
    // BASE × (2^n - 1) / 2 and BASE × (2^n - 1) after the restart.
    for (i, s) in spreads.iter().enumerate() {
        let full = BASE * ((1 << (i + 1)) - 1);
        assert!(
            s.min >= full / 2 && s.max <= full,
            "attempt {}: {s:?}",
            i + 1
        );
    }
    // Docs: "delays of one step never overlap the next": the herd of one attempt is over
    // before the next one starts, and each is thinner than the one before.
    for pair in spreads.windows(2) {
        assert!(pair[0].max < pair[1].min, "{pair:?}");
        assert!(pair[0].busiest > pair[1].busiest, "{pair:?}");
    }
    // Every client is back once, within attempt 3's range: [10.5 s, 21 s].
    assert_eq!(spreads.len(), 3);
    assert_eq!(run.arrivals.len(), CLIENTS);
    assert_eq!(run.refused(), 2 * CLIENTS);
    let back = Spread::of(&run.arrivals);
    assert!(back.min >= DOWN_MS && back.max <= 21_000, "{back:?}");
    // Attempt 3's last delay alone is spread over 6 s.
    assert_spread_over(&back, 6000);
}

#[test]
fn full_jitter_clients_come_back_spread_over_seconds() {
    let run = restart(&jitter(1.0), DOWN_MS, SEED);
    assert_eq!(run.arrivals.len(), CLIENTS);
    let back = Spread::of(&run.arrivals);
    assert!(back.min >= DOWN_MS, "{back:?}");
    assert!(back.p90 - back.p10 >= 5000, "{back:?}");
    assert_spread_over(&back, 6000);
    let runs = [spec(), jitter(0.0), jitter(0.5)].map(|p| restart(&p, DOWN_MS, SEED));
    print(
        &format!(
            "{CLIENTS} clients, server down for {} s (ms after the restart)",
            DOWN_MS / 1000
        ),
        &[
            ("spec (no backoff)", &runs[0]),
            ("backoff, jitter 0", &runs[1]),
            ("backoff, jitter 0.5", &runs[2]),
            ("backoff, jitter 1", &run),
        ],
        true,
    );
}

//! The retry policy, table by table: the spec's default reconnection, `retry:` fields,
//! retried statuses and `Retry-After`, backoff with jitter, the attempt limit, and the
//! reset of the attempt count after a healthy connection.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use wasm_sse::retry::{
    Backoff, Decision, Failure, RetryPolicy, RetryState, DEFAULT_RECONNECTION_TIME,
};

// ---------------------------------------------------------------------------------------
// Helpers

const DISCONNECTED: Failure = Failure::Disconnected;

fn status(status: u16, retry_after: Option<u64>) -> Failure {
    Failure::Status {
        status,
        retry_after,
    }
}

fn reconnect(delay: u64, attempt: u32) -> Decision {
    Decision::Reconnect { delay, attempt }
}

fn give_up(attempts: u32) -> Decision {
    Decision::GiveUp { attempts }
}

fn backoff(factor: f64, max_delay: u64, jitter: f64) -> Backoff {
    let mut backoff = Backoff::default();
    backoff.factor = factor;
    backoff.max_delay = max_delay;
    backoff.jitter = jitter;
    backoff
}

/// Runs `(failure, now_ms, jitter_sample)` steps on a fresh state and collects the
/// decisions.
fn run(policy: &RetryPolicy, steps: &[(Failure, f64, f64)]) -> Vec<Decision> {
    let mut state = RetryState::new(policy);
    steps
        .iter()
        .map(|&(failure, now, sample)| policy.decide(&mut state, failure, now, sample))
        .collect()
}

/// `failures` one second apart, with the jitter sample 0.
fn second_apart(failures: &[Failure]) -> Vec<(Failure, f64, f64)> {
    failures
        .iter()
        .enumerate()
        .map(|(i, &failure)| (failure, i as f64 * 1000.0, 0.0))
        .collect()
}

/// `count` disconnections, one second apart, all with the same jitter sample.
fn disconnections(count: usize, sample: f64) -> Vec<(Failure, f64, f64)> {
    (0..count)
        .map(|i| (DISCONNECTED, i as f64 * 1000.0, sample))
        .collect()
}

/// The delays of `Reconnect` decisions; panics on any other decision.
fn delays(decisions: &[Decision]) -> Vec<u64> {
    decisions
        .iter()
        .map(|decision| match decision {
            Decision::Reconnect { delay, .. } => *delay,
            other => panic!("expected a reconnection, got {other:?}"),
        })
        .collect()
}

/// One thing that happens to an event source, for the tests that open connections.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// The connection was announced at this time.
    Opened(f64),
    /// The open connection delivered an event.
    Event,
    /// A `retry:` field.
    Retry(u64),
    /// A failure at this time, with this jitter sample; the decision is collected.
    Fail(Failure, f64, f64),
}

fn drive(policy: &RetryPolicy, steps: &[Step]) -> Vec<Decision> {
    let mut state = RetryState::new(policy);
    let mut decisions = Vec::new();
    for step in steps {
        match *step {
            Step::Opened(now) => state.opened(now),
            Step::Event => state.event_received(),
            Step::Retry(ms) => state.set_reconnection_time(ms),
            Step::Fail(failure, now, sample) => {
                decisions.push(policy.decide(&mut state, failure, now, sample))
            }
        }
    }
    decisions
}

// ---------------------------------------------------------------------------------------
// The defaults

#[test]
fn defaults_are_the_spec_behaviour() {
    assert_eq!(DEFAULT_RECONNECTION_TIME, 3000);
    let policy = RetryPolicy::spec();
    assert_eq!(policy, RetryPolicy::default());
    assert_eq!(policy.reconnection_time, 3000);
    assert_eq!(policy.backoff, None);
    assert_eq!(policy.max_attempts, None);
    assert_eq!(policy.retry_statuses, Vec::<u16>::new());
    assert_eq!(policy.reset_after, 30_000);
    assert!(policy.wait_for_online);

    let backoff = Backoff::default();
    assert_eq!(backoff.factor, 2.0);
    assert_eq!(backoff.max_delay, 30_000);
    assert_eq!(backoff.jitter, 0.5);

    let state = RetryState::new(&policy);
    assert_eq!(state.reconnection_time(), 3000);
    assert_eq!(state.attempts(), 0);
}

#[test]
fn builders_set_their_fields() {
    let policy = RetryPolicy::spec()
        .reconnection_time(1234)
        .backoff(backoff(3.0, 10_000, 0.25))
        .max_attempts(7)
        .retry_statuses([429, 503])
        .reset_after(5000)
        .wait_for_online(false);
    assert_eq!(policy.reconnection_time, 1234);
    assert_eq!(policy.backoff, Some(backoff(3.0, 10_000, 0.25)));
    assert_eq!(policy.max_attempts, Some(7));
    assert_eq!(policy.retry_statuses, vec![429, 503]);
    assert_eq!(policy.reset_after, 5000);
    assert!(!policy.wait_for_online);
    assert_eq!(RetryState::new(&policy).reconnection_time(), 1234);
}

#[test]
fn spec_policy_reconnects_forever_after_the_reconnection_time() {
    let policy = RetryPolicy::spec();
    // Without backoff the jitter sample is ignored.
    for sample in [0.0, 0.5, 0.999_999] {
        let decisions = run(&policy, &disconnections(200, sample));
        let expected: Vec<Decision> = (1..=200).map(|n| reconnect(3000, n)).collect();
        assert_eq!(decisions, expected, "sample {sample}");
    }
}

#[test]
fn attempts_are_counted_in_the_state() {
    let policy = RetryPolicy::spec();
    let mut state = RetryState::new(&policy);
    for expected in 1..=5 {
        policy.decide(&mut state, DISCONNECTED, 0.0, 0.0);
        assert_eq!(state.attempts(), expected);
    }
}

// ---------------------------------------------------------------------------------------
// The reconnection time

#[test]
fn retry_field_sets_the_delay() {
    // (policy's reconnection time, `retry:` fields before the failure, expected delay)
    let table: &[(u64, &[u64], u64)] = &[
        (3000, &[], 3000),
        (3000, &[500], 500),
        (3000, &[0], 0),
        (3000, &[500, 7000], 7000),
        (1234, &[], 1234),
        (1234, &[100_000], 100_000),
        (3000, &[u64::MAX], u64::MAX),
    ];
    for &(initial, fields, expected) in table {
        let policy = RetryPolicy::spec().reconnection_time(initial);
        let mut steps: Vec<Step> = fields.iter().map(|&ms| Step::Retry(ms)).collect();
        steps.push(Step::Fail(DISCONNECTED, 0.0, 0.0));
        steps.push(Step::Fail(DISCONNECTED, 1.0, 0.0));
        assert_eq!(
            drive(&policy, &steps),
            vec![reconnect(expected, 1), reconnect(expected, 2)],
            "reconnection time {initial}, retry fields {fields:?}"
        );
    }
}

#[test]
fn retry_field_between_failures_changes_the_next_delay() {
    let policy = RetryPolicy::spec();
    let steps = [
        Step::Fail(DISCONNECTED, 0.0, 0.0),
        Step::Opened(3000.0),
        Step::Retry(10_000),
        Step::Fail(DISCONNECTED, 3001.0, 0.0),
        Step::Fail(DISCONNECTED, 13_001.0, 0.0),
    ];
    assert_eq!(
        drive(&policy, &steps),
        vec![
            reconnect(3000, 1),
            reconnect(10_000, 2),
            reconnect(10_000, 3)
        ]
    );
}

#[test]
fn set_reconnection_time_is_reported() {
    let mut state = RetryState::new(&RetryPolicy::spec());
    state.set_reconnection_time(42);
    assert_eq!(state.reconnection_time(), 42);
}

// ---------------------------------------------------------------------------------------
// Statuses and Retry-After

#[test]
fn statuses_fail_unless_retried() {
    // (retry_statuses, failure, expected first decision)
    let table: &[(&[u16], Failure, Decision)] = &[
        (&[], status(503, None), Decision::Fail),
        (&[], status(503, Some(1000)), Decision::Fail),
        (&[], status(500, None), Decision::Fail),
        (&[503], status(500, None), Decision::Fail),
        (&[503], status(404, Some(1000)), Decision::Fail),
        (&[503], status(503, None), reconnect(3000, 1)),
        (&[503], status(503, Some(1000)), reconnect(1000, 1)),
        (&[503], status(503, Some(0)), reconnect(0, 1)),
        (
            &[429, 503],
            status(429, Some(120_000)),
            reconnect(120_000, 1),
        ),
        (&[429, 503], status(429, None), reconnect(3000, 1)),
        (&[404], status(404, None), reconnect(3000, 1)),
    ];
    for &(statuses, failure, expected) in table {
        let policy = RetryPolicy::spec().retry_statuses(statuses.iter().copied());
        assert_eq!(
            run(&policy, &[(failure, 0.0, 0.0)]),
            vec![expected],
            "retry_statuses {statuses:?}, {failure:?}"
        );
    }
}

#[test]
fn retry_after_is_used_exactly_even_with_backoff() {
    // Neither jitter nor the cap applies to the server's own delay.
    let policy = RetryPolicy::spec()
        .retry_statuses([503])
        .backoff(backoff(2.0, 30_000, 0.5));
    let steps = [
        (status(503, Some(1000)), 0.0, 0.9),
        (status(503, None), 1000.0, 0.0),
        (status(503, Some(120_000)), 7000.0, 0.9),
        (status(503, None), 127_000.0, 0.0),
    ];
    assert_eq!(
        run(&policy, &steps),
        vec![
            reconnect(1000, 1),
            reconnect(6000, 2),
            reconnect(120_000, 3),
            reconnect(24_000, 4),
        ]
    );
}

#[test]
fn failed_status_does_not_count_an_attempt() {
    let policy = RetryPolicy::spec().retry_statuses([503]);
    let steps = [
        (status(500, None), 0.0, 0.0),
        (DISCONNECTED, 0.0, 0.0),
        (status(404, None), 0.0, 0.0),
        (DISCONNECTED, 0.0, 0.0),
    ];
    assert_eq!(
        run(&policy, &steps),
        vec![
            Decision::Fail,
            reconnect(3000, 1),
            Decision::Fail,
            reconnect(3000, 2),
        ]
    );
}

#[test]
fn retried_status_counts_attempts() {
    let policy = RetryPolicy::spec().retry_statuses([429, 503]);
    let steps = [
        (status(503, None), 0.0, 0.0),
        (status(429, Some(500)), 0.0, 0.0),
        (DISCONNECTED, 0.0, 0.0),
        (status(503, None), 0.0, 0.0),
    ];
    assert_eq!(
        run(&policy, &steps),
        vec![
            reconnect(3000, 1),
            reconnect(500, 2),
            reconnect(3000, 3),
            reconnect(3000, 4),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Backoff

#[test]
fn backoff_delays() {
    // (reconnection time, factor, max_delay, jitter, sample, delays of attempts 1, 2, …)
    type Row<'a> = (u64, f64, u64, f64, f64, &'a [u64]);
    #[rustfmt::skip]
    let table: &[Row<'_>] = &[
        // Without jitter the delay grows by the factor up to the cap.
        (3000, 2.0, 30_000, 0.0, 0.0, &[3000, 6000, 12_000, 24_000, 30_000, 30_000, 30_000]),
        (3000, 2.0, 30_000, 0.5, 0.0, &[3000, 6000, 12_000, 24_000, 30_000, 30_000, 30_000]),
        (3000, 3.0, 30_000, 0.0, 0.0, &[3000, 9000, 27_000, 30_000, 30_000]),
        (1000, 1.5, 10_000, 0.0, 0.0, &[1000, 1500, 2250, 3375, 5063, 7594, 10_000, 10_000]),
        (3000, 1.0, 30_000, 0.0, 0.0, &[3000, 3000, 3000, 3000]),
        // A factor below 1 never shrinks the delay.
        (3000, 0.5, 30_000, 0.0, 0.0, &[3000, 3000, 3000]),
        // A cap below the reconnection time does not shorten it.
        (3000, 2.0, 1000, 0.0, 0.0, &[3000, 3000, 3000]),
        (3000, 2.0, 0, 0.0, 0.0, &[3000, 3000]),
        // Jitter 0.5 with a sample close to 1 halves every delay.
        (3000, 2.0, 30_000, 0.5, 0.999_999, &[1500, 3000, 6000, 12_000, 15_000, 15_000]),
        // Jitter 0.5 with a sample of 0.5 takes off a quarter.
        (3000, 2.0, 30_000, 0.5, 0.5, &[2250, 4500, 9000, 18_000, 22_500]),
        // Full jitter with a sample close to 1 leaves almost nothing.
        (3000, 2.0, 30_000, 1.0, 0.999, &[3, 6, 12, 24, 30, 30]),
        (3000, 2.0, 30_000, 1.0, 0.0, &[3000, 6000, 12_000, 24_000, 30_000]),
        // Out-of-range settings are clamped: jitter above 1 is full jitter.
        (3000, 2.0, 30_000, 2.0, 0.5, &[1500, 3000, 6000, 12_000, 15_000]),
        (3000, 2.0, 30_000, -1.0, 0.999, &[3000, 6000, 12_000]),
        // A jitter that is not a number is none.
        (3000, 2.0, 30_000, f64::NAN, 0.5, &[3000, 6000, 12_000]),
        // A reconnection time of 0 stays 0.
        (0, 2.0, 30_000, 0.0, 0.0, &[0, 0, 0, 0]),
    ];
    for &(initial, factor, max_delay, jitter, sample, expected) in table {
        let policy = RetryPolicy::spec()
            .reconnection_time(initial)
            .backoff(backoff(factor, max_delay, jitter));
        let decisions = run(&policy, &disconnections(expected.len(), sample));
        assert_eq!(
            delays(&decisions),
            expected,
            "reconnection time {initial}, factor {factor}, max_delay {max_delay}, \
             jitter {jitter}, sample {sample}"
        );
        let attempts: Vec<u32> = decisions
            .iter()
            .map(|decision| match decision {
                Decision::Reconnect { attempt, .. } => *attempt,
                _ => 0,
            })
            .collect();
        let counting: Vec<u32> = (1..=expected.len() as u32).collect();
        assert_eq!(attempts, counting);
    }
}

#[test]
fn jitter_sample_out_of_range_is_clamped() {
    let policy = RetryPolicy::spec().backoff(backoff(2.0, 30_000, 0.5));
    // (sample, expected first delay)
    let table = [(-1.0, 3000), (1.0, 1500), (7.0, 1500), (f64::NAN, 3000)];
    for (sample, expected) in table {
        assert_eq!(
            run(&policy, &[(DISCONNECTED, 0.0, sample)]),
            vec![reconnect(expected, 1)],
            "sample {sample}"
        );
    }
}

#[test]
fn backoff_never_exceeds_the_cap() {
    let policy = RetryPolicy::spec().backoff(Backoff::default());
    for sample in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999_999] {
        let decisions = run(&policy, &disconnections(100, sample));
        for (n, delay) in delays(&decisions).into_iter().enumerate() {
            assert!(
                delay <= 30_000,
                "attempt {} with sample {sample}: {delay}",
                n + 1
            );
        }
    }
}

#[test]
fn many_attempts_stay_at_the_cap() {
    let policy = RetryPolicy::spec().backoff(backoff(2.0, 30_000, 0.0));
    let decisions = run(&policy, &disconnections(5000, 0.0));
    assert_eq!(decisions[4], reconnect(30_000, 5));
    assert_eq!(decisions[4999], reconnect(30_000, 5000));
    assert!(delays(&decisions)[4..].iter().all(|&delay| delay == 30_000));
}

#[test]
fn server_retry_above_the_cap_wins() {
    // (retry: field, jitter, sample, expected delays)
    let table: &[(u64, f64, f64, &[u64])] = &[
        (60_000, 0.0, 0.0, &[60_000, 60_000, 60_000]),
        (60_000, 0.5, 0.999_999, &[30_000, 30_000, 30_000]),
        (20_000, 0.0, 0.0, &[20_000, 30_000, 30_000]),
        (30_000, 0.0, 0.0, &[30_000, 30_000]),
    ];
    for &(field, jitter, sample, expected) in table {
        let policy = RetryPolicy::spec().backoff(backoff(2.0, 30_000, jitter));
        let mut steps = vec![Step::Retry(field)];
        steps.extend((0..expected.len()).map(|i| Step::Fail(DISCONNECTED, i as f64, sample)));
        assert_eq!(
            delays(&drive(&policy, &steps)),
            expected,
            "retry {field}, jitter {jitter}, sample {sample}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The attempt limit

#[test]
fn max_attempts_gives_up() {
    // (max_attempts, retry_statuses, failures, expected decisions)
    type Row<'a> = (u32, &'a [u16], &'a [Failure], &'a [Decision]);
    let table: &[Row<'_>] = &[
        (
            3,
            &[],
            &[DISCONNECTED; 4],
            &[
                reconnect(3000, 1),
                reconnect(3000, 2),
                reconnect(3000, 3),
                give_up(3),
            ],
        ),
        (
            1,
            &[],
            &[DISCONNECTED; 2],
            &[reconnect(3000, 1), give_up(1)],
        ),
        (0, &[], &[DISCONNECTED], &[give_up(0)]),
        // A retried status counts towards the limit.
        (
            2,
            &[503],
            &[status(503, Some(10)), DISCONNECTED, status(503, None)],
            &[reconnect(10, 1), reconnect(3000, 2), give_up(2)],
        ),
        // A failed status neither counts nor gives up.
        (
            1,
            &[],
            &[DISCONNECTED, status(500, None), status(500, None)],
            &[reconnect(3000, 1), Decision::Fail, Decision::Fail],
        ),
    ];
    for &(max, statuses, failures, expected) in table {
        let policy = RetryPolicy::spec()
            .max_attempts(max)
            .retry_statuses(statuses.iter().copied());
        assert_eq!(
            run(&policy, &second_apart(failures)),
            expected,
            "max_attempts {max}, retry_statuses {statuses:?}, failures {failures:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Connections lost while the browser reports no network

#[test]
fn offline_failures_do_not_count_as_attempts_nor_grow_the_backoff() {
    // Two attempts allowed, backoff without jitter: base 100, then 200.
    let policy = RetryPolicy::spec()
        .reconnection_time(100)
        .backoff(backoff(2.0, 10_000, 0.0))
        .max_attempts(2);
    let offline = Failure::Offline;
    let steps = second_apart(&[
        DISCONNECTED, // attempt 1 after 100
        offline,      // attempt 1 made again, after the reconnection time
        offline,
        offline,
        offline,
        DISCONNECTED, // attempt 2 after 200: the offline failures grew nothing
        offline,      // attempt 2 made again
        DISCONNECTED, // a third counted failure: give up
    ]);
    assert_eq!(
        run(&policy, &steps),
        vec![
            reconnect(100, 1),
            reconnect(100, 1),
            reconnect(100, 1),
            reconnect(100, 1),
            reconnect(100, 1),
            reconnect(200, 2),
            reconnect(100, 2),
            give_up(2),
        ]
    );
}

#[test]
fn an_offline_failure_waits_the_servers_reconnection_time_and_reports_attempt_one_first() {
    // A healthy connection lost while offline: the attempt count starts again, and the
    // delay is the reconnection time the server set.
    let policy = RetryPolicy::spec().backoff(backoff(2.0, 10_000, 0.0));
    let mut state = RetryState::new(&policy);
    state.set_reconnection_time(750);
    state.opened(0.0);
    state.event_received();
    assert_eq!(
        policy.decide(&mut state, Failure::Offline, 10.0, 0.5),
        reconnect(750, 1)
    );
    assert_eq!(state.attempts(), 0);
}

// ---------------------------------------------------------------------------------------
// Healthy connections reset the attempt count

#[test]
fn healthy_connection_resets_attempts() {
    use Step::{Event, Fail, Opened};
    const D: Failure = DISCONNECTED;
    // (reset_after, steps, expected decisions)
    let table: &[(u64, &[Step], &[Decision])] = &[
        // Open for exactly reset_after: healthy.
        (
            30_000,
            &[
                Fail(D, 0.0, 0.0),
                Fail(D, 3000.0, 0.0),
                Opened(6000.0),
                Fail(D, 36_000.0, 0.0),
            ],
            &[reconnect(3000, 1), reconnect(3000, 2), reconnect(3000, 1)],
        ),
        // Open for longer: healthy.
        (
            30_000,
            &[
                Fail(D, 0.0, 0.0),
                Fail(D, 3000.0, 0.0),
                Opened(6000.0),
                Fail(D, 100_000.0, 0.0),
            ],
            &[reconnect(3000, 1), reconnect(3000, 2), reconnect(3000, 1)],
        ),
        // Open 1 ms too short, without an event: the count goes on.
        (
            30_000,
            &[
                Fail(D, 0.0, 0.0),
                Fail(D, 3000.0, 0.0),
                Opened(6000.0),
                Fail(D, 35_999.0, 0.0),
            ],
            &[reconnect(3000, 1), reconnect(3000, 2), reconnect(3000, 3)],
        ),
        // Opened and failed at once, without an event: the count goes on.
        (
            30_000,
            &[Fail(D, 0.0, 0.0), Opened(3000.0), Fail(D, 3000.0, 0.0)],
            &[reconnect(3000, 1), reconnect(3000, 2)],
        ),
        // An event makes the connection healthy at once.
        (
            30_000,
            &[
                Fail(D, 0.0, 0.0),
                Fail(D, 3000.0, 0.0),
                Opened(6000.0),
                Event,
                Fail(D, 6000.0, 0.0),
            ],
            &[reconnect(3000, 1), reconnect(3000, 2), reconnect(3000, 1)],
        ),
        // reset_after 0: any opened connection is healthy.
        (
            0,
            &[Fail(D, 0.0, 0.0), Opened(3000.0), Fail(D, 3000.0, 0.0)],
            &[reconnect(3000, 1), reconnect(3000, 1)],
        ),
        // A custom reset_after.
        (
            5000,
            &[
                Fail(D, 0.0, 0.0),
                Opened(3000.0),
                Fail(D, 7999.0, 0.0),
                Opened(11_000.0),
                Fail(D, 16_000.0, 0.0),
            ],
            &[reconnect(3000, 1), reconnect(3000, 2), reconnect(3000, 1)],
        ),
        // A failure without a new opening does not reuse an earlier opening's time.
        (
            30_000,
            &[Opened(0.0), Fail(D, 100.0, 0.0), Fail(D, 100_000.0, 0.0)],
            &[reconnect(3000, 1), reconnect(3000, 2)],
        ),
        // Health does not carry over: a later connection without events is judged alone.
        (
            30_000,
            &[
                Fail(D, 0.0, 0.0),
                Opened(3000.0),
                Event,
                Fail(D, 3001.0, 0.0),
                Opened(6001.0),
                Fail(D, 6002.0, 0.0),
            ],
            &[reconnect(3000, 1), reconnect(3000, 1), reconnect(3000, 2)],
        ),
        // An event received without an opening does not count.
        (
            30_000,
            &[Fail(D, 0.0, 0.0), Event, Fail(D, 3000.0, 0.0)],
            &[reconnect(3000, 1), reconnect(3000, 2)],
        ),
        // A retried status after a healthy connection starts again from 1.
        (
            30_000,
            &[
                Fail(D, 0.0, 0.0),
                Fail(D, 3000.0, 0.0),
                Opened(6000.0),
                Event,
                Fail(
                    Failure::Status {
                        status: 503,
                        retry_after: None,
                    },
                    6001.0,
                    0.0,
                ),
            ],
            &[reconnect(3000, 1), reconnect(3000, 2), reconnect(3000, 1)],
        ),
    ];
    for (row, &(reset_after, steps, expected)) in table.iter().enumerate() {
        let policy = RetryPolicy::spec()
            .reset_after(reset_after)
            .retry_statuses([503]);
        assert_eq!(
            drive(&policy, steps),
            expected,
            "row {row}: reset_after {reset_after}, steps {steps:?}"
        );
    }
}

#[test]
fn reset_restarts_backoff_and_the_attempt_limit() {
    use Step::{Event, Fail, Opened};
    const D: Failure = DISCONNECTED;
    let policy = RetryPolicy::spec()
        .backoff(backoff(2.0, 30_000, 0.0))
        .max_attempts(3);
    let steps = [
        Fail(D, 0.0, 0.0),
        Fail(D, 3000.0, 0.0),
        Fail(D, 9000.0, 0.0),
        Opened(21_000.0),
        Event,
        Fail(D, 21_500.0, 0.0),
        Fail(D, 24_500.0, 0.0),
        Fail(D, 30_500.0, 0.0),
        Fail(D, 42_500.0, 0.0),
    ];
    assert_eq!(
        drive(&policy, &steps),
        vec![
            reconnect(3000, 1),
            reconnect(6000, 2),
            reconnect(12_000, 3),
            reconnect(3000, 1),
            reconnect(6000, 2),
            reconnect(12_000, 3),
            give_up(3),
        ]
    );
}

#[test]
fn reset_is_reported_in_the_state() {
    let policy = RetryPolicy::spec();
    let mut state = RetryState::new(&policy);
    policy.decide(&mut state, DISCONNECTED, 0.0, 0.0);
    policy.decide(&mut state, DISCONNECTED, 0.0, 0.0);
    assert_eq!(state.attempts(), 2);
    state.opened(0.0);
    state.event_received();
    policy.decide(&mut state, DISCONNECTED, 1.0, 0.0);
    assert_eq!(state.attempts(), 1);
}

/// The documented formula, `min(max(max_delay, base), base × factor^(n-1))`, is 0 for
/// every attempt when the base is 0.
#[test]
fn zero_reconnection_time_stays_zero_for_many_attempts() {
    let policy = RetryPolicy::spec()
        .reconnection_time(0)
        .backoff(backoff(2.0, 30_000, 0.0));
    let decisions = run(&policy, &disconnections(1100, 0.0));
    let first_nonzero = decisions
        .iter()
        .find(|decision| !matches!(decision, Decision::Reconnect { delay: 0, .. }));
    assert_eq!(first_nonzero, None);
}

// ---------------------------------------------------------------------------------------
// Properties

proptest! {
    /// Every backoff delay lies between the jittered reconnection time and the cap.
    #[test]
    fn backoff_delay_is_bounded(
        factor in 1.0f64..4.0,
        max_delay in 0u64..100_000,
        jitter in 0.0f64..1.0,
        reconnection_time in 0u64..100_000,
        samples in prop::collection::vec(0.0f64..1.0, 1..60),
    ) {
        let policy = RetryPolicy::spec()
            .reconnection_time(reconnection_time)
            .backoff(backoff(factor, max_delay, jitter));
        let steps: Vec<(Failure, f64, f64)> = samples
            .iter()
            .enumerate()
            .map(|(i, &sample)| (DISCONNECTED, i as f64, sample))
            .collect();
        let cap = max_delay.max(reconnection_time);
        let floor = (1.0 - jitter) * cap.min(reconnection_time) as f64 - 1.0;
        for (n, decision) in run(&policy, &steps).into_iter().enumerate() {
            let Decision::Reconnect { delay, attempt } = decision else {
                panic!("expected a reconnection, got {decision:?}");
            };
            prop_assert_eq!(attempt, n as u32 + 1);
            prop_assert!(delay <= cap, "delay {} above the cap {}", delay, cap);
            prop_assert!(delay as f64 >= floor, "delay {} below {}", delay, floor);
        }
    }

    /// Without jitter the delays never decrease, and the first one is the reconnection time.
    #[test]
    fn backoff_without_jitter_grows(
        factor in 1.0f64..4.0,
        max_delay in 0u64..100_000,
        reconnection_time in 0u64..100_000,
        count in 1usize..60,
    ) {
        let policy = RetryPolicy::spec()
            .reconnection_time(reconnection_time)
            .backoff(backoff(factor, max_delay, 0.0));
        let delays = delays(&run(&policy, &disconnections(count, 0.0)));
        prop_assert_eq!(delays[0], reconnection_time);
        for pair in delays.windows(2) {
            prop_assert!(pair[0] <= pair[1], "delays shrank: {:?}", delays);
        }
    }

    /// Without backoff every delay is the reconnection time, whatever the sample.
    #[test]
    fn no_backoff_waits_the_reconnection_time(
        reconnection_time in any::<u64>(),
        samples in prop::collection::vec(0.0f64..1.0, 1..20),
    ) {
        let policy = RetryPolicy::spec().reconnection_time(reconnection_time);
        let steps: Vec<(Failure, f64, f64)> =
            samples.iter().map(|&sample| (DISCONNECTED, 0.0, sample)).collect();
        let expected: Vec<Decision> =
            (1..=samples.len() as u32).map(|n| reconnect(reconnection_time, n)).collect();
        prop_assert_eq!(run(&policy, &steps), expected);
    }
}

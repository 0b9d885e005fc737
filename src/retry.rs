//! The retry policy: when to reconnect, after how long, and when to give up.
//!
//! Pure: the current time and the random jitter sample are arguments, so every rule is
//! table-tested natively. The transport supplies `Date.now()` and `Math.random()`.
//!
//! The default is the spec's behaviour: reconnect after every network error or end of
//! the body, forever, waiting the reconnection time (3000 ms until a `retry:` field sets
//! it), and longer while the browser reports no network (the spec allows both). Backoff, a
//! maximum number of attempts and retrying chosen statuses are opt-in.

/// The reconnection time before any `retry:` field: \[spec\] "Each EventSource object has
/// a reconnection time associated with it. This is a number of milliseconds … initially
/// a user-agent-defined value, probably in the region of a few seconds." Browsers use 3 s.
pub const DEFAULT_RECONNECTION_TIME: u64 = 3000;

/// How the client reconnects.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The reconnection time until the server's `retry:` field replaces it, in ms.
    pub reconnection_time: u64,
    /// Exponential backoff; `None` waits the reconnection time before every attempt.
    pub backoff: Option<Backoff>,
    /// Give up after this many reconnection attempts in a row without a healthy
    /// connection in between; `None` never gives up.
    pub max_attempts: Option<u32>,
    /// Statuses that are retried instead of failing the connection (for example 429,
    /// 502, 503, 504). A `Retry-After` header on such a response sets the delay.
    pub retry_statuses: Vec<u16>,
    /// A connection that stays open this long (ms), or that delivers an event, is
    /// healthy: the attempt count starts again from zero after it.
    pub reset_after: u64,
    /// While the browser reports no network (`navigator.onLine` is false), wait for it to
    /// report the network back before reconnecting, and do not count connections lost
    /// then as attempts (see [`Failure::Offline`]). On by default.
    pub wait_for_online: bool,
}

/// Exponential backoff with jitter: before attempt `n` the delay is
/// `min(max(max_delay, base), base × factor^(n-1))`, less a random part of at most
/// `jitter` of it; `base` is the reconnection time.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Backoff {
    /// Growth per attempt (default 2).
    pub factor: f64,
    /// The cap, in ms (default 30 000). A server's larger `retry:` still wins.
    pub max_delay: u64,
    /// The fraction of each delay that is random, from 0 (none) to 1 (full jitter);
    /// default 0.5, so delays of one step never overlap the next.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            reconnection_time: DEFAULT_RECONNECTION_TIME,
            backoff: None,
            max_attempts: None,
            retry_statuses: Vec::new(),
            reset_after: 30_000,
            wait_for_online: true,
        }
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            factor: 2.0,
            max_delay: 30_000,
            jitter: 0.5,
        }
    }
}

impl Backoff {
    /// Sets [`Backoff::factor`].
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }

    /// Sets [`Backoff::max_delay`].
    pub fn max_delay(mut self, ms: u64) -> Self {
        self.max_delay = ms;
        self
    }

    /// Sets [`Backoff::jitter`].
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = fraction;
        self
    }
}

impl RetryPolicy {
    /// The spec's behaviour (the default).
    pub fn spec() -> Self {
        RetryPolicy::default()
    }

    /// Sets [`RetryPolicy::reconnection_time`].
    pub fn reconnection_time(mut self, ms: u64) -> Self {
        self.reconnection_time = ms;
        self
    }

    /// Sets [`RetryPolicy::backoff`].
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = Some(backoff);
        self
    }

    /// Sets [`RetryPolicy::max_attempts`].
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// Sets [`RetryPolicy::retry_statuses`].
    pub fn retry_statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.retry_statuses = statuses.into_iter().collect();
        self
    }

    /// Sets [`RetryPolicy::reset_after`].
    pub fn reset_after(mut self, ms: u64) -> Self {
        self.reset_after = ms;
        self
    }

    /// Sets [`RetryPolicy::wait_for_online`].
    pub fn wait_for_online(mut self, on: bool) -> Self {
        self.wait_for_online = on;
        self
    }

    /// Decides what follows a failure. `now_ms` is the current time and `jitter_sample`
    /// a uniform random number in `[0, 1)`.
    pub fn decide(
        &self,
        state: &mut RetryState,
        failure: Failure,
        now_ms: f64,
        jitter_sample: f64,
    ) -> Decision {
        if let Some(opened_at) = state.opened_at.take() {
            if state.healthy || now_ms - opened_at >= self.reset_after as f64 {
                state.attempts = 0;
            }
        }
        state.healthy = false;
        let retry_after = match failure {
            Failure::Disconnected => None,
            // Not an attempt that counts: there was no network to try on, so the same
            // attempt is made again once there is. No backoff either; the transport waits
            // for the network before connecting.
            Failure::Offline => {
                return Decision::Reconnect {
                    delay: state.reconnection_time,
                    attempt: state.attempts.max(1),
                }
            }
            Failure::Status {
                status,
                retry_after,
            } => {
                if !self.retry_statuses.contains(&status) {
                    return Decision::Fail;
                }
                retry_after
            }
        };
        state.attempts = state.attempts.saturating_add(1);
        if self.max_attempts.is_some_and(|max| state.attempts > max) {
            return Decision::GiveUp {
                attempts: state.attempts - 1,
            };
        }
        let delay = retry_after.unwrap_or_else(|| self.delay(state, jitter_sample));
        Decision::Reconnect {
            delay,
            attempt: state.attempts,
        }
    }

    fn delay(&self, state: &RetryState, jitter_sample: f64) -> u64 {
        let base = state.reconnection_time;
        let Some(backoff) = &self.backoff else {
            return base;
        };
        let cap = backoff.max_delay.max(base) as f64;
        let exponent = state.attempts.saturating_sub(1).min(1024) as i32;
        // 0 × ∞ would be NaN once the power overflows, and NaN.min(cap) is the cap.
        let grown = if base == 0 {
            0.0
        } else {
            (base as f64 * backoff.factor.max(1.0).powi(exponent)).min(cap)
        };
        let jitter = fraction(backoff.jitter) * fraction(jitter_sample);
        (grown * (1.0 - jitter)).round() as u64
    }
}

/// `x` held to [0, 1], NaN as 0 (`clamp` keeps a NaN, which would make every delay 0).
fn fraction(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

/// Why the connection needs a retry decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A network error or the end of the body: \[spec\] "reestablish the connection".
    Disconnected,
    /// The same while the browser reports no network. \[spec\] "Wait a delay equal to the
    /// reconnection time of the event source. Optionally, wait some more. … if the
    /// operating system has reported that there is no network connectivity, user agents
    /// might wait for the operating system to announce that the network connection has
    /// returned before retrying." It reconnects after the reconnection time, without
    /// backoff, and is not counted towards [`RetryPolicy::max_attempts`].
    Offline,
    /// A status other than 200 or 204, with its `Retry-After` delay in ms.
    Status {
        /// The HTTP status.
        status: u16,
        /// The delay the `Retry-After` header asked for.
        retry_after: Option<u64>,
    },
}

/// What the client does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Reconnect after `delay` ms; this will be attempt number `attempt` in a row.
    Reconnect {
        /// Milliseconds to wait.
        delay: u64,
        /// 1 for the first reconnection after a healthy connection.
        attempt: u32,
    },
    /// Fail the connection: this status is not retried.
    Fail,
    /// Stop: `attempts` reconnections in a row failed, the most the policy allows.
    GiveUp {
        /// How many attempts were made.
        attempts: u32,
    },
}

/// What the policy remembers about one event source.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryState {
    reconnection_time: u64,
    attempts: u32,
    opened_at: Option<f64>,
    healthy: bool,
}

impl RetryState {
    /// The state before the first connection.
    pub fn new(policy: &RetryPolicy) -> Self {
        RetryState {
            reconnection_time: policy.reconnection_time,
            attempts: 0,
            opened_at: None,
            healthy: false,
        }
    }

    /// \[spec\] "If the field value consists of only ASCII digits, then interpret the
    /// field value as an integer in base ten, and set the event stream's reconnection
    /// time to that integer."
    pub fn set_reconnection_time(&mut self, ms: u64) {
        self.reconnection_time = ms;
    }

    /// The current reconnection time, in ms.
    pub fn reconnection_time(&self) -> u64 {
        self.reconnection_time
    }

    /// Reconnection attempts in a row so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The connection was announced (opened) at `now_ms`.
    pub fn opened(&mut self, now_ms: f64) {
        self.opened_at = Some(now_ms);
        self.healthy = false;
    }

    /// The open connection delivered an event: it is healthy.
    pub fn event_received(&mut self) {
        self.healthy = true;
    }
}

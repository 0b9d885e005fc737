// Medians, ranges and the per-round ratios of the timed samples.

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const summary = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

/**
 * Figures of one candidate on one workload from its sample times (ms, one per round) and
 * the reference's times of the same rounds: MB/s (10^6 bytes), events/s, and the ratio of
 * its speed to the reference's, taken per round (same round, same conditions) and then
 * summarised.
 */
export function figures(ms, referenceMs, { bytes, events }) {
  const mbps = ms.map((t) => bytes / 1e3 / t);
  const eventsPerSec = ms.map((t) => (events * 1e3) / t);
  const ratios = referenceMs ? ms.map((t, round) => referenceMs[round] / t) : null;
  return {
    ms: summary(ms),
    mbps: summary(mbps),
    eventsPerSec: summary(eventsPerSec),
    ratio: ratios && summary(ratios),
    samples: ms,
  };
}

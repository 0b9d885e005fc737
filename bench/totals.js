// What every consumer records of every event, and the generator of the expected values.
// A full hash of 64 MB would dominate the timings, so each event's data contributes its
// length and three char codes (first, middle, last): cheap, but the string must exist,
// and a lost, duplicated, reordered or retyped event changes the checksum.

export const newTotals = () => ({ count: 0, dataLength: 0, checksum: 0, lastId: '' });

/** Counts one event; `id` is the event's last event ID, or undefined/'' when it has none. */
export function addEvent(t, type, data, id) {
  const n = data.length;
  const probe = n === 0 ? 0 : data.charCodeAt(0) * 3 + data.charCodeAt(n >> 1) * 5 + data.charCodeAt(n - 1) * 7;
  t.checksum = (Math.imul(t.checksum ^ n, 0x9e3779b1) + probe + type.length * 11 + type.charCodeAt(0)) | 0;
  t.count++;
  t.dataLength += n;
  if (id) t.lastId = id;
}

/** The fields where `actual` differs from `expected`, as readable strings. */
export function differences(expected, actual) {
  return Object.keys(expected)
    .filter((k) => expected[k] !== actual?.[k])
    .map((k) => `${k}: expected ${JSON.stringify(expected[k])}, got ${JSON.stringify(actual?.[k])}`);
}

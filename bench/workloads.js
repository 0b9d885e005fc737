// Deterministic workloads, as arrays of Uint8Array chunks, with the totals every consumer
// must reproduce. Shared by the page (which times them) and Node (which serves W4 and
// checks the totals), so both sides generate byte-identical streams from the same seed.
import { addEvent, newTotals } from './totals.js';

/** The event type that ends every workload; consumers stop on it and do not count it. */
export const END = 'end';
const END_BLOCK = 'event: end\ndata: end\n\n';

// mulberry32: small, fast and the same on every engine.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (list) => list[Math.floor(next() * list.length)] };
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const TOKEN_CHARS = `${ALNUM}     .,;:!?'-()\n"\\é`;
const word = (r, n, chars = ALNUM) => Array.from({ length: n }, () => r.pick(chars)).join('');

// Collects the text of a workload and its expected totals as it is written.
function builder() {
  const parts = [];
  const totals = newTotals();
  return {
    totals,
    text: (s) => parts.push(s),
    event: (block, type, data, id) => {
      parts.push(block);
      addEvent(totals, type, data, id);
    },
    join: () => parts.join(''),
  };
}

/**
 * W1 text: LLM chat tokens, as OpenAI-style chunks. `spans` holds where each event's data
 * starts and ends in the text (UTF-16 offsets, two per event), for the floor that knows
 * them in advance (consumers.js).
 */
function chatText(events, seed) {
  const r = prng(seed);
  const b = builder();
  const id = `chatcmpl-${word(r, 29)}`;
  const spans = new Uint32Array(events * 2);
  let at = 0;
  for (let i = 0; i < events; i++) {
    const content = word(r, r.int(1, 8), TOKEN_CHARS);
    const data = `{"id":"${id}","choices":[{"delta":{"content":${JSON.stringify(content)}}}]}`;
    const block = `data: ${data}\n\n`;
    spans[2 * i] = at + 'data: '.length;
    spans[2 * i + 1] = spans[2 * i] + data.length;
    at += block.length;
    b.event(block, 'message', data);
  }
  b.text(END_BLOCK);
  return { ...b, spans };
}

/** W2 text: big JSON documents, each spread over several `data:` lines. */
function bigJsonText(events, seed) {
  const r = prng(seed);
  const b = builder();
  for (let i = 0; i < events; i++) {
    const rows = [];
    let size = 0;
    for (let k = 0; size < 32 * 1024 - 200; k++) {
      const row = `{"row":${k},"name":"${word(r, r.int(8, 24))}","value":${r.int(0, 1e9)},"tags":["${word(r, 5)}","${word(r, 7)}"]}`;
      rows.push(row);
      size += row.length + 2;
    }
    // Pretty-printed over lines of 10 rows, as a server writing each line of JSON would.
    const lines = [];
    for (let k = 0; k < rows.length; k += 10) lines.push(rows.slice(k, k + 10).join(','));
    lines[0] = `{"doc":${i},"rows":[${lines[0]}`;
    lines[lines.length - 1] += ']}';
    b.event(`${lines.map((l) => `data: ${l}\n`).join('')}\n`, 'message', lines.join('\n'));
  }
  b.text(END_BLOCK);
  return b;
}

const MIXED_TYPES = ['message', 'delta', 'status', 'usage'];
const MIXED_WORDS = ['hello', 'wasm', 'stream', '数据流', '服务器', 'イベント', '한국어', '😀', '🚀🔥', 'naïve', 'ü', '🧪x', 'tab\there'];

/** W3 text: ids, named events, comments, `retry:`, CRLF, CJK and emoji. */
function mixedText(events, seed) {
  const r = prng(seed);
  const b = builder();
  let lastId = '';
  for (let i = 0; i < events; i++) {
    let block = '';
    // Comments and `retry:` sit inside event blocks: a block without data is no event,
    // yet @microsoft/fetch-event-source 2.0.1 would report it as an empty message.
    if (r.next() < 0.2) block += `: keep-alive ${i}\r\n`;
    if (r.next() < 0.02) block += `retry: ${r.int(1000, 5000)}\r\n`;
    if (r.next() < 0.8) {
      lastId = `${i}-${word(r, 4)}`;
      block += `id: ${lastId}\r\n`;
    }
    const type = r.next() < 0.5 ? 'message' : r.pick(MIXED_TYPES);
    if (type !== 'message' || r.next() < 0.2) block += `event: ${type}\r\n`;
    const lines = Array.from({ length: r.int(1, 3) }, () =>
      Array.from({ length: r.int(1, 40) }, () => r.pick(MIXED_WORDS)).join(' '),
    );
    block += `${lines.map((l) => `data: ${l}\r\n`).join('')}\r\n`;
    b.event(block, type, lines.join('\n'), lastId);
  }
  b.text(END_BLOCK.replaceAll('\n', '\r\n'));
  return b;
}

const encode = (s) => new TextEncoder().encode(s);
const fixedChunks = (bytes, size) => {
  const chunks = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
};

// W1a: 1 to 3 events per chunk, a quarter of the chunks cut inside their last event.
function eventChunks(bytes, seed) {
  const r = prng(seed);
  const ends = [];
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) {
    if (bytes[i + 1] === 10) ends.push(i + 2);
  }
  ends.push(bytes.length);
  const chunks = [];
  let start = 0;
  for (let e = 0; e < ends.length; ) {
    e = Math.min(e + r.int(1, 3), ends.length);
    let end = ends[e - 1];
    const eventStart = e >= 2 ? ends[e - 2] : 0;
    if (r.next() < 0.25 && end - eventStart > 2) end = r.int(eventStart + 1, end - 1);
    if (end > start) chunks.push(bytes.subarray(start, end));
    start = end;
  }
  if (start < bytes.length) chunks.push(bytes.subarray(start));
  return chunks;
}

// W3: chunks near 16 KiB whose cuts alternate between exactly 16 KiB, between a CR and
// its LF, and inside a multi-byte UTF-8 sequence, so both splits are certain to occur.
function awkwardChunks(bytes) {
  const chunks = [];
  const splits = { crlf: 0, utf8: 0 };
  let start = 0;
  for (let k = 0; start < bytes.length; k++) {
    let end = Math.min(start + 16 * 1024, bytes.length);
    if (end < bytes.length && k % 3 === 1) {
      while (end < bytes.length - 1 && !(bytes[end - 1] === 13 && bytes[end] === 10)) end++;
    } else if (end < bytes.length && k % 3 === 2) {
      while (end < bytes.length - 1 && !(bytes[end - 1] >= 0xc0 && bytes[end] >= 0x80 && bytes[end] < 0xc0)) end++;
    }
    if (bytes[end - 1] === 13 && bytes[end] === 10) splits.crlf++;
    if (end < bytes.length && bytes[end] >= 0x80 && bytes[end] < 0xc0) splits.utf8++;
    chunks.push(bytes.subarray(start, end));
    start = end;
  }
  return { chunks, splits };
}

/** The workload names, in run order, and the event types each uses. */
export const WORKLOADS = ['W1a', 'W1b', 'W2', 'W3', 'W4'];
export const EVENT_TYPES = { W1a: ['message'], W1b: ['message'], W2: ['message'], W3: MIXED_TYPES, W4: ['message'] };

/** W1 as one byte array (W4 serves it over HTTP), with its totals. */
export function chatWorkload(scale = 1) {
  const b = chatText(Math.round(200_000 * scale), 1);
  const text = b.join();
  return { bytes: encode(text), chars: text.length, expected: b.totals, spans: b.spans };
}

/**
 * Generates workload `name` at `scale` (1 = full size): `{ name, chunks, bytes, chars,
 * expected, types }`. `chars` is the UTF-16 length of the whole text (the decode floor's total).
 */
export function generate(name, scale = 1) {
  let b;
  let chunks;
  let extra = {};
  if (name === 'W1a' || name === 'W1b' || name === 'W4') {
    const w = chatWorkload(scale);
    chunks = name === 'W1a' ? eventChunks(w.bytes, 2) : fixedChunks(w.bytes, 64 * 1024);
    return { name, chunks, bytes: w.bytes.length, chars: w.chars, expected: w.expected, types: EVENT_TYPES[name], spans: w.spans };
  }
  if (name === 'W2') b = bigJsonText(Math.max(2, Math.round(2_000 * scale)), 3);
  else if (name === 'W3') b = mixedText(Math.max(50, Math.round(60_000 * scale)), 4);
  else throw new Error(`unknown workload ${name}`);
  const text = b.join();
  const bytes = encode(text);
  if (name === 'W2') chunks = fixedChunks(bytes, 64 * 1024);
  else ({ chunks, ...extra } = awkwardChunks(bytes));
  return { name, chunks, bytes: bytes.length, chars: text.length, expected: b.totals, types: EVENT_TYPES[name], ...extra };
}

// The low-level parser API: bytes in, items out. The event-source APIs build on the
// same Rust parser inside the connection engine.
import { RawParser } from './wasm_sse.js';
import { engineFailure, engineGeneration, init, isReady } from './init.js';
import { forEachItem } from './batch.js';
import { SseError } from './errors.js';

const encoder = new TextEncoder();
const REPLACEMENT = encoder.encode('\ufffd');

function toBytes(chunk) {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError('wasm-sse: a chunk must be a Uint8Array, an ArrayBuffer or a string');
}

// Whether `s` ends in the first half of a surrogate pair, whose second half may start the
// next string chunk.
const endsInHighSurrogate = (s) => {
  const last = s.charCodeAt(s.length - 1);
  return last >= 0xd800 && last <= 0xdbff;
};

// The items of one chunk's batch, as objects.
function toItems([text, layout]) {
  const items = [];
  forEachItem(text, layout, (kind, a, b, c) => {
    if (kind === 'event') items.push({ kind, type: a ?? 'message', data: b, lastEventId: c });
    else if (kind === 'retry') items.push({ kind, retry: a });
    else items.push({ kind, comment: a });
  });
  return items;
}

// The items a RawParser call returned. When it throws a ParseError, the items the chunk
// completed before the limit was crossed go with the error as `items`, so what a caller
// sees before the error does not depend on where the stream was cut.
function itemsOf(call) {
  let batch;
  try {
    batch = call();
  } catch (error) {
    if (error?.batch) {
      error.items = toItems(error.batch);
      delete error.batch;
    }
    throw error;
  }
  return toItems(batch);
}

// Yields a call's items; on a ParseError, the items completed before it, then the error.
function* drain(call) {
  let items;
  try {
    items = call();
  } catch (error) {
    yield* error?.items ?? [];
    throw error;
  }
  yield* items;
}

function rawParser(options = {}) {
  const parser = new RawParser(options.maxEventSize, options.dispatchIncompleteEvent);
  if (options.lastEventId !== undefined && !parser.setLastEventId(String(options.lastEventId))) {
    parser.free();
    throw new TypeError('wasm-sse: lastEventId must not contain U+0000');
  }
  return parser;
}

/** A streaming parser; see index.d.ts. */
export class Parser {
  #raw;
  #generation = engineGeneration();
  #freed = false;
  // The first half of a surrogate pair that ended the last string chunk: encoded alone it
  // would become U+FFFD, so it waits for its second half.
  #highSurrogate = '';

  /** @internal Use `createParser`, which loads the wasm first. */
  constructor(options) {
    if (!isReady()) throw new Error('wasm-sse: the wasm is not loaded yet: use `await createParser()` or `await init()` first');
    this.#raw = rawParser(options);
  }

  feed(chunk) {
    this.#live();
    let bytes;
    if (typeof chunk === 'string') {
      let text = this.#highSurrogate + chunk;
      this.#highSurrogate = '';
      if (endsInHighSurrogate(text)) {
        this.#highSurrogate = text.slice(-1);
        text = text.slice(0, -1);
      }
      bytes = encoder.encode(text);
    } else {
      // Bytes after a string that ended in half a pair: that half was a lone surrogate,
      // which encodes as U+FFFD.
      bytes = toBytes(chunk);
      if (this.#highSurrogate) {
        this.#highSurrogate = '';
        const joined = new Uint8Array(REPLACEMENT.length + bytes.length);
        joined.set(REPLACEMENT);
        joined.set(bytes, REPLACEMENT.length);
        bytes = joined;
      }
    }
    return itemsOf(() => this.#call((raw) => raw.feed(bytes)));
  }

  finish() {
    this.#live();
    // A lone first half at the very end is U+FFFD, as TextEncoder makes it. Its bytes end
    // no line, so feeding them completes no item.
    if (this.#highSurrogate) {
      this.#highSurrogate = '';
      itemsOf(() => this.#call((raw) => raw.feed(REPLACEMENT)));
    }
    return itemsOf(() => this.#call((raw) => raw.finish()));
  }

  reset() {
    this.#live();
    this.#highSurrogate = '';
    this.#call((raw) => raw.reset());
  }

  get lastEventId() {
    this.#live();
    return this.#call((raw) => raw.lastEventId);
  }

  /** Releases the parser's wasm memory; calling it again does nothing. */
  free() {
    if (this.#freed) return;
    this.#freed = true;
    // A parser of a failed instance has nothing left to free.
    if (this.#generation === engineGeneration()) this.#raw.free();
  }

  #live() {
    if (this.#freed) throw new Error('wasm-sse: this parser was freed');
  }

  // Calls into the wasm parser, unless the engine failed since this parser was made: its
  // state died with that instance, so it throws the failure (also when it caused it).
  #call(f) {
    const failed = () => new SseError(engineFailure());
    if (this.#generation !== engineGeneration()) throw failed();
    try {
      return f(this.#raw);
    } catch (error) {
      if (this.#generation !== engineGeneration()) throw failed();
      throw error;
    }
  }
}

export async function createParser(options) {
  await init();
  return new Parser(options);
}

/**
 * Parses a `Response`, a `ReadableStream` of bytes, or any async iterable of chunks,
 * yielding items as they complete. Leaving the loop early cancels the stream.
 */
// A fetch Response, also one from another realm (an iframe's) or another fetch library,
// which `instanceof Response` would miss: it has a body and can read it whole.
const isResponse = (input) =>
  (typeof Response !== 'undefined' && input instanceof Response) ||
  (typeof input === 'object' && input !== null && 'body' in input && typeof input.arrayBuffer === 'function' && typeof input.headers?.get === 'function');

export async function* parseEventStream(input, options) {
  const body = isResponse(input) ? input.body : input;
  if (body == null) return; // a Response without a body (e.g. 204) holds no events
  let parser;
  try {
    await init();
    parser = new Parser(options);
  } catch (error) {
    // No events can come: the download stops here too.
    const stopped = typeof body.cancel === 'function' ? body.cancel() : body.return?.();
    await Promise.resolve(stopped).catch(() => {});
    throw error;
  }
  let reader;
  try {
    reader = typeof body.getReader === 'function' ? body.getReader() : null;
  } catch (error) {
    parser.free();
    throw error;
  }
  let finished = false;
  try {
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield* drain(() => parser.feed(value));
      }
    } else {
      for await (const chunk of body) yield* drain(() => parser.feed(chunk));
    }
    finished = true;
    yield* drain(() => parser.finish());
  } finally {
    if (reader) {
      // An early exit (break, throw, return) stops the download too.
      if (!finished) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
    parser.free();
  }
}

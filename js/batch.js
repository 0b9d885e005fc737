// Unpacks a batch of parsed items, as the bindings send them once per chunk: one string
// holding all the text, and a Uint32Array layout cutting it (see src/bindings/batch.rs).
import { wasmMemory } from './init.js';

const EVENT = 0;
const RETRY = 1;
const COMMENT = 2;
const LAST_EVENT_ID = 3;
const EVENT_WITH_OWN_DATA = 4;
const MESSAGES = 5;
const NO_TYPE = 0xffffffff;
const SAME_ID = 0xffffffff;

// `ignoreBOM`: a batch's text may start with U+FEFF as data (a BOM past the stream's start,
// at the start of an event's type, data or id); a default TextDecoder would strip it, and
// every slice after it would then be off by one.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
// Below this many bytes, building an ASCII string by char codes beats a TextDecoder call,
// whose fixed cost dominates for the short batches of small events.
const SHORT_ASCII = 1024;

/**
 * Reads a batch out of wasm memory, where the engine left it for this call, then calls
 * `visit` for each item (see `forEachItem`). Everything is read before the first call: a
 * callback may run wasm code that moves memory. The layout is copied into a plain array,
 * which costs the garbage collector far less than a new ArrayBuffer on every chunk.
 * `dataPtr` and `dataLength` locate the UTF-8 data of the batch's event with its own
 * data, if it has one (a large event, decoded on its own rather than copied into the text).
 */
export function visitBatch(textPtr, textLength, ascii, layoutPtr, layoutLength, visit, dataPtr, dataLength) {
  const { buffer } = wasmMemory();
  const bytes = new Uint8Array(buffer, textPtr, textLength);
  const text = ascii && textLength <= SHORT_ASCII ? String.fromCharCode.apply(null, bytes) : decoder.decode(bytes);
  const view = new Uint32Array(buffer, layoutPtr, layoutLength);
  const layout = new Array(layoutLength);
  for (let i = 0; i < layoutLength; i++) layout[i] = view[i];
  const data = dataLength > 0 ? decoder.decode(new Uint8Array(buffer, dataPtr, dataLength)) : '';
  forEachItem(text, layout, visit, data);
}

/**
 * Calls `visit(kind, a, b, c)` for each item in order: `('event', type|undefined, data,
 * lastEventId)`, `('retry', ms)`, `('comment', text)`, `('id', lastEventId)` (a new last
 * event ID string, also from blocks without data).
 */
export function forEachItem(text, layout, visit, ownData = '') {
  let at = 0;
  const take = (length) => text.slice(at, (at += length));
  // The last event ID of the latest event or new ID: a run of messages carries it.
  let id = '';
  for (let i = 0; i < layout.length; ) {
    switch (layout[i]) {
      case EVENT: {
        const type = layout[i + 1] === NO_TYPE ? undefined : take(layout[i + 1]);
        const data = take(layout[i + 2]);
        if (layout[i + 3] !== SAME_ID) id = take(layout[i + 3]);
        visit('event', type, data, id);
        i += 4;
        break;
      }
      case MESSAGES: {
        const end = i + 2 + layout[i + 1];
        for (let j = i + 2; j < end; j++) visit('event', undefined, take(layout[j]), id);
        i = end;
        break;
      }
      case EVENT_WITH_OWN_DATA: {
        const type = layout[i + 1] === NO_TYPE ? undefined : take(layout[i + 1]);
        if (layout[i + 2] !== SAME_ID) id = take(layout[i + 2]);
        visit('event', type, ownData, id);
        i += 3;
        break;
      }
      case RETRY:
        visit('retry', layout[i + 2] * 2 ** 32 + layout[i + 1]);
        i += 3;
        break;
      case COMMENT:
        visit('comment', take(layout[i + 1]));
        i += 2;
        break;
      case LAST_EVENT_ID:
        id = take(layout[i + 1]);
        visit('id', id);
        i += 2;
        break;
      default:
        throw new Error(`wasm-sse: unknown item kind ${layout[i]}`);
    }
  }
}

/**
 * wasm-sse: a spec-exact Server-Sent Events parser and client, in Rust compiled to WebAssembly.
 * The parser follows the WHATWG HTML Standard, §9.2 "Server-sent events".
 */

/** Where the `.wasm` comes from, as accepted by `WebAssembly.instantiateStreaming` and friends. */
export type InitInput = URL | string | Request | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the wasm module. Optional: every API calls it itself on first use, loading
 * `wasm_sse_bg.wasm` next to this file. Call it first only to load from elsewhere.
 * Memoised: later calls return the same promise (a failed load may be retried).
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/** A dispatched event, as the browser's `MessageEvent` would carry it. */
export interface ParsedEvent {
  kind: 'event';
  /** The `event:` field, or `"message"`. */
  type: string;
  /** The `data:` lines joined with `"\n"`. */
  data: string;
  /** The last event ID after this event (set by the latest `id:` field). */
  lastEventId: string;
}

/** A `retry:` field: the server's new reconnection time, in milliseconds. */
export interface ParsedRetry {
  kind: 'retry';
  retry: number;
}

/** A comment line (`: text`), often a keep-alive heartbeat; one leading space removed. */
export interface ParsedComment {
  kind: 'comment';
  comment: string;
}

export type ParsedItem = ParsedEvent | ParsedRetry | ParsedComment;

export interface ParserOptions {
  /**
   * The largest line, and the largest data of one event, in bytes (default 16 MiB).
   * Past it, `feed` throws a `ParseError` with `reason: "event_too_large"`.
   */
  maxEventSize?: number;
  /**
   * At the end of the stream, dispatch an event whose closing blank line never came.
   * Off by default, as the spec discards it.
   */
  dispatchIncompleteEvent?: boolean;
  /** A saved last event ID to start from (must not contain U+0000). */
  lastEventId?: string;
}

/** Thrown by `feed` (and the stream APIs) when the input breaks a limit. */
export interface ParseError extends Error {
  name: 'ParseError';
  /** Machine-readable: `"event_too_large"`. */
  reason: 'event_too_large';
  /** The limit that was exceeded, in bytes. */
  limit: number;
}

export type Chunk = Uint8Array | ArrayBuffer | ArrayBufferView | string;

/** A streaming parser: feed it chunks cut anywhere; it returns the items each completes. */
export class Parser {
  private constructor();
  /** Parses the next chunk; returns the items it completed, in stream order. */
  feed(chunk: Chunk): ParsedItem[];
  /**
   * Ends the stream. An unfinished event is discarded (returns `[]`) unless
   * `dispatchIncompleteEvent` is set. The parser is then ready for a new stream.
   */
  finish(): ParsedItem[];
  /** Starts a new stream (as after a reconnect), keeping the last event ID. */
  reset(): void;
  /** The last event ID string: what a reconnection sends as `Last-Event-ID`. */
  readonly lastEventId: string;
  /** Releases the wasm memory now rather than when garbage-collected. */
  free(): void;
}

/** Loads the wasm if needed and returns a new parser. */
export function createParser(options?: ParserOptions): Promise<Parser>;

/**
 * Parses a `fetch` response body as it arrives. Accepts a `Response`, a
 * `ReadableStream<Uint8Array>` or any async iterable of chunks. Breaking out of the loop
 * cancels the stream.
 *
 * @example
 * for await (const item of parseEventStream(await fetch('/events'))) {
 *   if (item.kind === 'event') console.log(item.type, item.data);
 * }
 */
export function parseEventStream(
  input: Response | ReadableStream<Uint8Array> | AsyncIterable<Chunk>,
  options?: ParserOptions,
): AsyncGenerator<ParsedItem, void, undefined>;

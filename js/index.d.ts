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
   * The largest line, and the largest data, type or ID of one event once decoded, in bytes
   * (default 16 MiB). Past it, `feed` throws a `ParseError` with `reason: "event_too_large"`.
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
  /**
   * From `feed` and `finish`: the items the call completed before the limit was crossed
   * (`parseEventStream` yields them before it throws).
   */
  items?: ParsedItem[];
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

// ---------------------------------------------------------------------------------------
// The client: EventSource, fetchEventSource, errors.

/** Machine-readable reasons of an {@link SseError}. */
export type SseErrorReason =
  /** The request failed or the body broke off (offline, reset, CORS refusal). Retried. */
  | 'network'
  /** The server ended the body. `EventSource` reconnects, as the spec says. */
  | 'end_of_stream'
  /** Nothing arrived for `idleTimeout` ms; the connection was dropped. Retried. */
  | 'idle_timeout'
  /** A status other than 200 and 204. Fatal unless listed in `retry.retryStatuses`. */
  | 'status'
  /** Status 200 but not `text/event-stream`. Fatal. */
  | 'content_type'
  /** 204 No Content: the server asked the client to stop. */
  | 'no_content'
  /** A line, or an event's data, type or ID, exceeded `maxEventSize`. Fatal. */
  | 'event_too_large'
  /** Stopped by the `signal`. */
  | 'aborted'
  /** The retry policy's `maxAttempts` was reached. */
  | 'max_retries'
  /** The request could not be built (a headers/body function threw, a GET with a body, an option `fetch` refuses). */
  | 'request'
  /** A callback threw (fetchEventSource's `onopen`/`onmessage`). */
  | 'callback'
  /** The wasm module failed to load. */
  | 'init'
  /**
   * The engine panicked (a bug): every live source stops with this reason, and sources
   * created afterwards run on a fresh instance of the module. Fatal.
   */
  | 'engine_failed';

/** The fields of an {@link SseError}, as the client fills them in. */
export interface SseErrorInit {
  reason: SseErrorReason;
  message: string;
  status?: number;
  contentType?: string;
  body?: string;
  retryable?: boolean;
  attempts?: number;
  limit?: number;
}

/** Why a connection failed or an event source stopped. */
export class SseError extends Error {
  /** The client makes these; an app may too, to test its error handling. */
  constructor(info: SseErrorInit);
  name: 'SseError';
  readonly reason: SseErrorReason;
  /** The HTTP status, when a response arrived. */
  readonly status?: number;
  /** The response's `Content-Type`, for `status` and `content_type` failures. */
  readonly contentType?: string;
  /** The start of the response body (at most 4 KiB, what arrived within half a second), for `status` and `content_type` failures. */
  readonly body?: string;
  /** Whether trying again may succeed (network errors, the end of the body, 408/429/5xx). */
  readonly retryable: boolean;
  /** For `max_retries`: how many reconnections were attempted. */
  readonly attempts?: number;
  /** For `event_too_large`: the limit in bytes. */
  readonly limit?: number;
}

/** The `error` event of {@link EventSource}: what went wrong, and what happens next. */
export class SseErrorEvent extends Event {
  /** The source dispatches these; an app may make one to test its `error` handling. */
  constructor(error: SseError, init?: { willRetry?: boolean; retryIn?: number; attempt?: number });
  readonly type: 'error';
  readonly error: SseError;
  /** The HTTP status, if a response arrived (as the `eventsource` package's `code`). */
  readonly code: number | undefined;
  readonly message: string;
  readonly reason: SseErrorReason;
  /** Whether the source reconnects after this error (`readyState` is then CONNECTING). */
  readonly willRetry: boolean;
  /** Milliseconds until the reconnect, when `willRetry`; while the browser reports no network, the reconnect also waits for it (`retry.waitForOnline`). */
  readonly retryIn: number | undefined;
  /** Which reconnection attempt in a row comes next, when `willRetry`. */
  readonly attempt: number | undefined;
}

/** Opt-in exponential backoff: delay n is `min(max(maxDelay, base), base × factor^(n-1))`, less up to `jitter` of it at random. */
export interface BackoffOptions {
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** The cap in ms. Default 30000; a server's larger `retry:` still wins. */
  maxDelay?: number;
  /** The random fraction of each delay, 0 to 1. Default 0.5. */
  jitter?: number;
}

/** How an {@link EventSource} reconnects. The default is the spec's: for ever, every 3 s or as `retry:` says. */
export interface RetryPolicy {
  /** The reconnection time before the server's `retry:` sets one, in ms. Default 3000. */
  reconnectionTime?: number;
  /** Exponential backoff with jitter; `true` for the defaults. Off by default. */
  backoff?: boolean | BackoffOptions;
  /** Stop after this many reconnection attempts in a row (reason `max_retries`). Default: never. */
  maxAttempts?: number;
  /** Statuses to retry instead of failing, e.g. `[429, 502, 503, 504]`; `Retry-After` sets the delay. */
  retryStatuses?: number[];
  /** A connection open this long (ms), or one that delivered an event, resets the attempt count. Default 30000. */
  resetAfter?: number;
  /**
   * While `navigator.onLine` is false, wait for the `online` event (at most 30 s more) before reconnecting, and do
   * not count connections lost then as attempts. Default `true`; the spec allows it.
   */
  waitForOnline?: boolean;
}

type Awaitable<T> = T | Promise<T>;

/** The second argument of {@link EventSource}: the browser's, plus fetch options. */
export interface EventSourceInit {
  /** Send cookies cross-origin (`credentials: 'include'`), as the browser's option. */
  withCredentials?: boolean;
  /** The HTTP method. Default `GET`, or `POST` when `body` or `json` is given. */
  method?: string;
  /** Request headers, or a function (maybe async) called on every (re)connect, e.g. to refresh a token. */
  headers?: HeadersInit | (() => Awaitable<HeadersInit>);
  /** The request body, or a function called on every (re)connect. */
  body?: BodyInit | (() => Awaitable<BodyInit>);
  /** A JSON body (sent with `Content-Type: application/json`), or a function called on every (re)connect. */
  json?: unknown;
  /** `fetch`'s credentials mode; overrides `withCredentials`. */
  credentials?: RequestCredentials;
  /** A number sets the reconnection time in ms; an object sets the whole policy. */
  retry?: number | RetryPolicy;
  /** Stops the source (`closeReason` `'aborted'`); one already aborted stops it before any request. */
  signal?: AbortSignal;
  /** A replacement for the global `fetch`. */
  fetch?: typeof fetch;
  /** A last event ID to send as `Last-Event-ID` from the first request, to resume. */
  lastEventId?: string;
  /** The largest line, or event data, type or ID, in bytes (default 16 MiB); past it the source fails with `event_too_large`. */
  maxEventSize?: number;
  /** Dispatch an event left without its blank line when the body ends (off: the spec discards it). */
  dispatchIncompleteEvent?: boolean;
  /**
   * Beyond the browser's API, off by default: when no byte arrives (comments count) for
   * this many ms, or no response for this many ms after the request, drop the connection
   * and retry it (reason `idle_timeout`), as for a half-open connection or a proxy that
   * hangs. Set it above the server's heartbeat interval.
   */
  idleTimeout?: number;
  /** Called with the text of each comment line (`: heartbeat` gives `'heartbeat'`, one leading space removed); comments are no events. */
  onComment?: (this: EventSource, text: string) => void;
  /** Called with the new reconnection time in ms whenever the server sends `retry:`. */
  onRetry?: (this: EventSource, ms: number) => void;
}

/** Why an {@link EventSource} stopped for good. */
export type CloseReason = 'closed' | SseErrorReason;

// Handlers are called with the source as `this`. Their type leaves `this` out, so an
// instance stays assignable to the browser's `EventSource` type (handler properties
// are compared both ways).
type EventHandler<E> = ((ev: E) => any) | null;

export interface EventSourceEventMap {
  open: Event;
  message: MessageEvent<string>;
  error: SseErrorEvent;
}

/**
 * A Server-Sent Events client with the browser's `EventSource` API, over `fetch`: any
 * method, headers and body, a retry policy, an abort signal. Reconnects as the spec
 * says by default. Also an async iterable of its message events.
 *
 * @example
 * const source = new EventSource('/api/chat', { json: { prompt }, headers: { Authorization: `Bearer ${token}` } });
 * source.onmessage = (event) => append(event.data);
 * source.addEventListener('done', () => source.close());
 */
export class EventSource extends EventTarget {
  constructor(url: string | URL, init?: EventSourceInit);
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSED: 2;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSED: 2;
  /** The absolute URL. */
  readonly url: string;
  /** Whether credentials go with the request: `withCredentials`, or `credentials: 'include'`. */
  readonly withCredentials: boolean;
  /** CONNECTING (0), OPEN (1) or CLOSED (2). */
  readonly readyState: number;
  /** Why the source stopped for good: `'closed'` after `close()`, else an error reason; `null` while it runs. */
  readonly closeReason: CloseReason | null;
  /** Fired when a connection opens. */
  onopen: EventHandler<Event>;
  /** Fired for events without an `event:` field (type `message`) only; use `addEventListener` for named events. */
  onmessage: EventHandler<MessageEvent>;
  /**
   * Fired when a connection fails: `willRetry` says whether it reconnects. Set, it takes
   * the {@link SseErrorEvent}; read, it is typed as the browser's, so that an instance
   * stays assignable to the browser's `EventSource` type.
   */
  get onerror(): EventHandler<Event>;
  set onerror(handler: EventHandler<SseErrorEvent>);
  /** Aborts the request and any pending reconnect; no further events. */
  close(): void;
  addEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: (this: EventSource, ev: EventSourceEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: (this: EventSource, event: MessageEvent) => any, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: (this: EventSource, ev: EventSourceEventMap[K]) => any,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: (this: EventSource, event: MessageEvent) => any, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
  /**
   * Yields every message event, named or not, in order, across reconnects. Leaving the
   * loop closes the source. After `close()`, the signal or a fatal error, the loop gets the
   * events dispatched before it, then ends, or throws the error as an {@link SseError}
   * (also a loop started afterwards). A loop that
   * falls more than 1,024 events or 1 MiB of data behind pauses the reading of the body
   * until it has caught up to half of that, unless listeners take the events too.
   */
  [Symbol.asyncIterator](): AsyncIterator<MessageEvent<string>, undefined>;
}

/** `text/event-stream`. */
export const EventStreamContentType: 'text/event-stream';

/** A message as `fetchEventSource` hands it to `onmessage` (as @microsoft/fetch-event-source). */
export interface EventSourceMessage {
  /** The last event ID after this event. */
  id: string;
  /** The `event:` field, or `''`. */
  event: string;
  /** The `data:` lines joined with `"\n"`. */
  data: string;
  /** The `retry:` value received since the previous message, if any. */
  retry?: number;
}

/** The options of {@link fetchEventSource}: `RequestInit` plus callbacks, as @microsoft/fetch-event-source 2.0.1. */
export interface FetchEventSourceInit extends Omit<RequestInit, 'headers'> {
  /** Request headers: a plain object, a `Headers`, or a function called for every request. */
  headers?: Record<string, string> | Headers | (() => Awaitable<HeadersInit>);
  /**
   * Called with the response before reading it; throw (or reject) to treat it as an
   * error (which `onerror` may retry). The default requires a 2xx `text/event-stream`
   * response, and lets a 204 end the stream.
   */
  onopen?: (response: Response) => Promise<void> | void;
  /** Called for every event, named or not (comment-only blocks never produce one). */
  onmessage?: (ev: EventSourceMessage) => void;
  /** Called when the body ends. The stream is not reopened unless this throws. */
  onclose?: () => void;
  /**
   * Called on any error: return a delay in ms to retry after, nothing to retry after
   * the current interval (1000 ms or the server's `retry:`), or throw to stop (the
   * promise rejects with what it threw).
   */
  onerror?: (err: any) => number | null | undefined | void;
  /** Keep the connection while the page is hidden (default false: close it, reopen when visible). */
  openWhenHidden?: boolean;
  /** A replacement for the global `fetch`. */
  fetch?: typeof fetch;
  /**
   * Beyond 2.0.1: the largest line, or event data, type or ID, in bytes (default 16 MiB). Past it the
   * connection is closed and `onerror` gets an {@link SseError} with reason `event_too_large`.
   */
  maxEventSize?: number;
}

/**
 * The API of @microsoft/fetch-event-source 2.0.1, on this library's engine: resolves
 * when the body ends (after `onclose`) or when `signal` aborts; rejects with what
 * `onerror` throws. See the README for the deliberate differences.
 */
export function fetchEventSource(input: RequestInfo | URL, init: FetchEventSourceInit): Promise<void>;

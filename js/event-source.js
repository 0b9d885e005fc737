// `EventSource`: the browser's class, same shape and events, over the Rust engine, with
// fetch options (method, headers, body, retry policy, signal) in its second argument.
import { visitBatch } from './batch.js';
import { bodyOptions, retryOptions, startEngine } from './engine.js';
import { SseError } from './errors.js';
import { dispatchNew, hasListeners, JsEventTarget } from './event-target.js';
import { SseMessageEvent } from './message-event.js';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

// A `for await` loop that falls this far behind (events it has not taken yet) pauses the
// reading of the body until it has caught up to half of it: its backlog stays bounded,
// and the server is slowed down by the network's own flow control. Only while no listener
// takes the events too: listeners, as with the browser's class, never wait.
const BACKLOG_EVENTS = 1024;
const BACKLOG_CHARS = 1 << 20;

/** The `error` event: why the connection failed, and whether and when it will retry. */
export class SseErrorEvent extends Event {
  constructor(error, { willRetry = false, retryIn, attempt } = {}) {
    super('error');
    /** The failure. */
    this.error = error;
    /** The HTTP status, if a response arrived (as the `eventsource` package's `code`). */
    this.code = error?.status;
    this.message = error?.message ?? '';
    this.reason = error?.reason;
    /** Whether the client reconnects after this error. */
    this.willRetry = willRetry;
    /** Milliseconds until the reconnect, when it will retry (while the browser reports no network, it also waits for the network to come back). */
    this.retryIn = retryIn;
    /** Which reconnection attempt in a row comes next, when it will retry. */
    this.attempt = attempt;
  }
}

export class EventSource extends JsEventTarget {
  #url;
  #withCredentials;
  #readyState = CONNECTING;
  #controller = new AbortController();
  #origin;
  #closeReason = null;
  #handlers = { open: null, message: null, error: null };
  // The listener each set handler attribute has in the list (HTML's "event handler":
  // added when the attribute becomes non-null, removed when it becomes null).
  #handlerListeners = { open: null, message: null, error: null };
  // The error that stopped the source, for a loop started after it.
  #failure = null;
  #sinks = new Set();
  // While the engine waits for the loops to catch up: the promise it waits on.
  #drain = null;
  #observers;

  constructor(url, init) {
    super();
    // As Web IDL converts the arguments: a URL is required, a missing or null init is
    // the default one.
    if (arguments.length === 0) throw new TypeError("Failed to construct 'EventSource': 1 argument required, but only 0 present.");
    init ??= {};
    // [spec] "Let urlRecord be the result of encoding-parsing a URL given url, relative
    // to settings. If urlRecord is failure, then throw a "SyntaxError" DOMException."
    try {
      this.#url = new URL(String(url), globalThis.location?.href).href;
    } catch {
      throw new DOMException(`wasm-sse: invalid URL: ${url}`, 'SyntaxError');
    }
    this.#origin = new URL(this.#url).origin;
    // [spec] "If eventSourceInitDict's withCredentials is true, set corsAttributeState to
    // Use Credentials and set ev's withCredentials attribute to true": the attribute says
    // whether credentials go with the request, so it reflects `credentials` too.
    const credentials = init.credentials ?? (init.withCredentials ? 'include' : 'same-origin');
    this.#withCredentials = credentials === 'include';
    this.#observers = { comment: init.onComment, retry: init.onRetry };
    const { signal } = init;
    if (signal) {
      if (signal.aborted) this.#stop('aborted');
      // Removed when the source stops (#stop aborts #controller), so that a signal which
      // outlives many sources does not keep each closed one alive through this listener.
      else signal.addEventListener('abort', () => this.#stop('aborted'), { once: true, signal: this.#controller.signal });
    }
    const hasBody = init.body !== undefined || init.json !== undefined;
    const options = {
      url: this.#url,
      method: init.method ?? (hasBody ? 'POST' : 'GET'),
      headers: init.headers,
      ...bodyOptions(init),
      credentials,
      fetch: init.fetch,
      lastEventId: init.lastEventId,
      retry: retryOptions(init.retry),
      maxEventSize: init.maxEventSize,
      dispatchIncompleteEvent: init.dispatchIncompleteEvent,
      idleTimeout: init.idleTimeout,
      signal: this.#controller.signal,
    };
    startEngine(options, this.#engineHandlers()).catch((error) =>
      this.#fail(new SseError({ reason: 'init', message: `wasm-sse: the wasm failed to load: ${error?.message ?? error}` })),
    );
  }

  get url() {
    return this.#url;
  }

  get withCredentials() {
    return this.#withCredentials;
  }

  get readyState() {
    return this.#readyState;
  }

  /** Why the source stopped for good (`null` while it runs). */
  get closeReason() {
    return this.#closeReason;
  }

  /** [spec] "The close() method must abort any instances of the fetch algorithm started
   * for this EventSource object, and must set the readyState attribute to CLOSED." */
  close() {
    this.#stop('closed');
  }

  get onopen() {
    return this.#handlers.open;
  }
  set onopen(f) {
    this.#setHandler('open', f);
  }
  get onmessage() {
    return this.#handlers.message;
  }
  set onmessage(f) {
    this.#setHandler('message', f);
  }
  get onerror() {
    return this.#handlers.error;
  }
  set onerror(f) {
    this.#setHandler('error', f);
  }

  /**
   * Yields every message event (named or not) in order; leaving the loop closes the
   * source. The iterator takes the events dispatched from its creation on, as listeners
   * do, and so ends once it has yielded those dispatched before `close()`, an abort or a
   * failure, whose error it then throws. `next()` calls made before earlier ones settle
   * wait their turn, as with an async generator.
   */
  [Symbol.asyncIterator]() {
    const queue = [];
    let head = 0; // queue[head] is the next event to yield
    let chars = 0; // the data waiting in the queue, in UTF-16 units
    const waiting = []; // the pending next() calls, oldest first: [resolve, reject]
    // Until its first next(), an iterator holds no loop back: one made and never used
    // must not pause the reading for the others.
    let started = false;
    let ended = false;
    let failure = null;
    const leave = () => {
      this.#sinks.delete(sink);
      this.#checkDrained();
    };
    // The next result, or undefined while there is none yet; throws the failure once.
    const pull = () => {
      if (head < queue.length) {
        const value = queue[head];
        queue[head++] = undefined;
        chars -= value.data.length;
        // Drop the consumed part once it is half the array: shift() per event
        // would copy the whole backlog each time.
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        if (this.#drain) this.#checkDrained();
        return { value, done: false };
      }
      if (!ended) return undefined;
      leave();
      if (failure) {
        const error = failure;
        failure = null;
        throw error;
      }
      return { value: undefined, done: true };
    };
    // Settles the waiting next() calls that can be settled, in order.
    const serve = () => {
      while (waiting.length) {
        let result;
        try {
          result = pull();
        } catch (error) {
          waiting.shift()[1](error);
          continue;
        }
        if (!result) return;
        waiting.shift()[0](result);
      }
    };
    const sink = {
      push: (event) => {
        queue.push(event);
        chars += event.data.length;
        if (waiting.length) serve();
      },
      // The events dispatched before the end are still yielded, as listeners got them.
      end: (error) => {
        ended = true;
        failure = error;
        serve();
      },
      behind: () => started && (queue.length - head > BACKLOG_EVENTS || chars > BACKLOG_CHARS),
      caughtUp: () => !started || (queue.length - head <= BACKLOG_EVENTS / 2 && chars <= BACKLOG_CHARS / 2),
    };
    if (this.#readyState === CLOSED) sink.end(this.#failure);
    else this.#sinks.add(sink);
    // return() and throw(): the loop is left, so what it had not taken is dropped.
    const finish = () => {
      ended = true;
      failure = null;
      queue.length = 0;
      head = 0;
      chars = 0;
      leave();
      this.close();
      serve();
      return { value: undefined, done: true };
    };
    return {
      next: () => {
        started = true;
        if (!waiting.length) {
          try {
            const result = pull();
            if (result) return Promise.resolve(result);
          } catch (error) {
            return Promise.reject(error);
          }
        }
        return new Promise((resolve, reject) => waiting.push([resolve, reject]));
      },
      return: async () => finish(),
      throw: async (error) => {
        finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  // A listener never waits for a loop: reading paused for one goes on. (The next batch
  // pauses it again if no listener takes its events.)
  addEventListener(type, callback, options) {
    super.addEventListener(type, callback, options);
    this.#readOn();
  }

  // Lets the engine read on once every loop has caught up (or there is none left).
  #checkDrained() {
    if (!this.#drain) return;
    for (const sink of this.#sinks) if (!sink.caughtUp()) return;
    this.#readOn();
  }

  #readOn() {
    const drain = this.#drain;
    this.#drain = null;
    drain?.resolve();
  }

  // [HTML, event handlers] An event handler attribute is an ordinary listener: set to a
  // value, it is added at the end of the list unless it is there already (a new value
  // keeps its place); set to null, it is removed. Its value is an `EventHandler`, a
  // callback function: an object is kept ([LegacyTreatNonObjectAsNull]) but never called,
  // not even its `handleEvent`.
  #setHandler(type, f) {
    const value = typeof f === 'function' || (f && typeof f === 'object') ? f : null;
    this.#handlers[type] = value;
    const listener = this.#handlerListeners[type];
    if (value && !listener) {
      const added = (event) => {
        const handler = this.#handlers[type];
        if (typeof handler === 'function') return handler.call(this, event);
        return undefined;
      };
      this.#handlerListeners[type] = added;
      this.addEventListener(type, added);
    } else if (!value && listener) {
      this.#handlerListeners[type] = null;
      this.removeEventListener(type, listener);
    }
  }

  #engineHandlers() {
    // Whether a listener took an event of the current batch: then no loop holds the
    // reading back, since listeners are never kept waiting.
    let listened = false;
    // Each item of a batch, in stream order (see batch.js).
    const visit = (kind, type, data, lastEventId) => {
      if (this.#readyState === CLOSED) return;
      // Comments and `retry:` are no events in the spec; they reach only the init's
      // observers (heartbeat watchdogs, inspectors), never listeners.
      if (kind === 'comment' || kind === 'retry') return this.#observers[kind]?.call(this, type);
      if (kind !== 'event') return;
      type ??= 'message';
      // An event nobody can see is not made, nor one only a `for await` loop sees
      // dispatched: no listener for its type, and dispatchEvent not overridden (an
      // inspector may log every event).
      const overridden = this.dispatchEvent !== ownDispatchEvent;
      const dispatched = overridden || hasListeners(this, type);
      if (dispatched) listened = true;
      if (!dispatched && !this.#sinks.size) return;
      // [spec] "Initialize event's type attribute to "message", its data attribute
      // to data, its origin attribute to the serialization of the origin of the event
      // stream's final URL, and its lastEventId attribute to the last event ID string."
      const event = new SseMessageEvent(type, data, this.#origin, lastEventId);
      if (this.#sinks.size) for (const sink of this.#sinks) sink.push(event);
      if (overridden) this.dispatchEvent(event);
      else if (dispatched) dispatchNew(this, event);
    };
    return {
      connecting: () => {},
      // [spec] "announce the connection: … if readyState is not CLOSED, set readyState
      // to OPEN and fire an event named open at the EventSource object."
      open: (response) => {
        if (this.#readyState === CLOSED) return;
        if (response.url) this.#origin = new URL(response.url).origin;
        this.#readyState = OPEN;
        this.dispatchEvent(new Event('open'));
      },
      // Returns whether a `for await` loop, the only taker of the batch's events, has
      // fallen behind: then the engine asks `drained` for a promise, and reads no more of
      // the body until it settles.
      batch: (textPtr, textLength, ascii, layoutPtr, layoutLength, dataPtr, dataLength) => {
        listened = false;
        visitBatch(textPtr, textLength, ascii, layoutPtr, layoutLength, visit, dataPtr, dataLength);
        if (this.#sinks.size === 0 || listened) return false;
        for (const sink of this.#sinks) if (sink.behind()) return true;
        return false;
      },
      drained: () => {
        if (!this.#drain) {
          let resolve;
          const promise = new Promise((r) => (resolve = r));
          this.#drain = { promise, resolve };
        }
        const { promise } = this.#drain;
        this.#checkDrained();
        return promise;
      },
      failed: (info, delay, attempt) => {
        if (delay === undefined || this.#readyState === CLOSED) return undefined;
        // [spec] "reestablish the connection: … set readyState to CONNECTING. Fire an
        // event named error at the EventSource object."
        this.#readyState = CONNECTING;
        this.dispatchEvent(new SseErrorEvent(new SseError(info), { willRetry: true, retryIn: delay, attempt }));
        return undefined;
      },
      closed: (info) => {
        if (this.#readyState === CLOSED) return;
        this.#fail(new SseError(info ?? { reason: 'end_of_stream', message: 'the stream ended' }));
      },
    };
  }

  // [spec] "fail the connection: … if readyState is not CLOSED, set readyState to CLOSED
  // and fire an event named error at the EventSource object."
  #fail(error) {
    this.#stop(error.reason, error);
  }

  // Stops for good. Closed by the caller or the signal (no `error`): no error event, as
  // with the browser's close(), and async iterations end without throwing.
  #stop(reason, error = null) {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSED;
    this.#closeReason = reason;
    this.#failure = error;
    this.#controller.abort();
    if (error) this.dispatchEvent(new SseErrorEvent(error, { willRetry: false }));
    for (const sink of this.#sinks) sink.end(error);
    this.#sinks.clear();
    this.#checkDrained();
  }
}

const ownDispatchEvent = EventSource.prototype.dispatchEvent;

for (const [name, value] of Object.entries({ CONNECTING, OPEN, CLOSED })) {
  Object.defineProperty(EventSource, name, { value, enumerable: true });
  Object.defineProperty(EventSource.prototype, name, { value, enumerable: true });
}

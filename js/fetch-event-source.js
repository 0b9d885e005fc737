// `fetchEventSource(input, init)`: the API and behaviour of @microsoft/fetch-event-source
// 2.0.1, over the Rust engine, with its known bugs fixed (listed in the README).
import { visitBatch } from './batch.js';
import { startEngine } from './engine.js';
import { SseError } from './errors.js';

export const EventStreamContentType = 'text/event-stream';

// 2.0.1's default reconnection interval; the server's `retry:` replaces it.
const DEFAULT_RETRY_INTERVAL = 1000;

// 2.0.1's default `onopen`, with the type compared without case and parameters allowed,
// and the status checked too. A 204 passes: its empty body then ends the stream, so the
// promise resolves instead of retrying for ever.
function defaultOnOpen(response) {
  if (response.status === 204) return;
  const contentType = response.headers.get('content-type');
  const essence = contentType?.split(';')[0].trim().toLowerCase();
  if (essence !== EventStreamContentType) {
    throw new Error(`Expected content-type to be ${EventStreamContentType}, Actual: ${contentType}`);
  }
  if (!response.ok) throw new Error(`Expected a successful response, Actual: ${response.status} ${response.statusText}`);
}

export function fetchEventSource(input, init = {}) {
  const {
    signal: inputSignal,
    headers: inputHeaders,
    onopen: inputOnOpen,
    onmessage,
    onclose,
    onerror,
    openWhenHidden,
    fetch: inputFetch,
    method,
    body,
    credentials,
    maxEventSize,
    ...rest
  } = init;
  return new Promise((resolve, reject) => {
    // 2.0.1 ignored a signal that had already aborted; it now resolves at once.
    if (inputSignal?.aborted) return resolve();
    const onopen = inputOnOpen ?? defaultOnOpen;
    // A custom fetch is called as 2.0.1 calls it, with the headers as a plain object (so
    // a wrapper may spread them), and what it throws reaches onerror as it is.
    const customFetch =
      inputFetch && remembering((target, options) => inputFetch(target, { ...options, headers: Object.fromEntries(options.headers) }));
    const baseFetch = customFetch ?? ((...args) => globalThis.fetch(...args));
    // A `Request` input is handed to fetch as it is, as 2.0.1 does, so its method and
    // body are used unless the options set them.
    const isRequest = typeof Request !== 'undefined' && input instanceof Request;
    const fetch = isRequest ? (_url, options) => baseFetch(input, options) : customFetch;
    const url = isRequest ? input.url : String(input);
    // What a headers function throws reaches onerror as it is, as onopen's throws do.
    const headers =
      typeof inputHeaders === 'function'
        ? remembering(inputHeaders)
        : inputHeaders instanceof Headers
          ? inputHeaders
          : { ...inputHeaders };
    const hasDocument = typeof document !== 'undefined' && typeof document.addEventListener === 'function';

    let retryInterval = DEFAULT_RETRY_INTERVAL;
    let lastEventId = '';
    let controller = null; // the running engine's
    let retryTimer;
    // The running engine's record of what the user's callbacks threw, for onerror and the
    // rejection. One per engine, so that a callback of an engine already stopped (an
    // `onopen` still pending when the page was hidden) cannot speak for the next one.
    let current = null;

    // What a callback throws, kept so that onerror receives the caller's own error rather
    // than the engine's report of it (`undefined` included: a flag says it was thrown).
    function remember(caught, error) {
      caught.threw = true;
      caught.error = error;
    }

    // An async version of `f` that remembers what it throws or rejects with, for the
    // engine that called it.
    function remembering(f) {
      return async (...args) => {
        const caught = current;
        try {
          return await f(...args);
        } catch (error) {
          if (caught) remember(caught, error);
          throw error;
        }
      };
    }

    // What the callbacks of `caught`'s engine threw, or else the engine's own error.
    function take(caught, info) {
      const error = caught.threw ? caught.error : new SseError(info);
      caught.threw = false;
      caught.error = undefined;
      return error;
    }
    let finished = false;

    function dispose() {
      finished = true;
      // A signal may outlive this call by far (one per view, say): its listener would
      // keep this whole closure alive until it aborts.
      inputSignal?.removeEventListener('abort', onAbort);
      if (hasDocument) document.removeEventListener('visibilitychange', onVisibilityChange);
      clearTimeout(retryTimer);
      controller?.abort();
    }

    // Close the request while the page is hidden, and reconnect (with Last-Event-ID)
    // when it is visible again, unless `openWhenHidden`.
    function onVisibilityChange() {
      stop();
      if (!document.hidden) create();
    }

    function stop() {
      clearTimeout(retryTimer);
      controller?.abort();
      controller = null;
    }

    // The user's onerror decides: a number is the delay, nothing means the current
    // interval, a throw stops with that error.
    function retryDelay(error) {
      return onerror?.(error) ?? retryInterval;
    }

    function failWith(error) {
      dispose();
      reject(error);
    }

    // Starts a new engine after `interval` ms, for failures the engine does not retry.
    function reconnectAfter(interval) {
      stop();
      // onerror may have aborted the signal while it decided: then nothing is left to do.
      if (!finished) retryTimer = setTimeout(create, interval);
    }

    // Reconnect after a failure outside the engine (onclose throwing), as 2.0.1 does.
    function retryLater(error) {
      try {
        reconnectAfter(retryDelay(error));
      } catch (innerError) {
        failWith(innerError);
      }
    }

    function create() {
      if (finished) return;
      const own = new AbortController();
      controller = own;
      const caught = { threw: false, error: undefined };
      current = caught;
      // Whether this engine was stopped, read per item: cheaper than the signal's getter.
      let stopped = false;
      own.signal.addEventListener('abort', () => (stopped = true), { once: true });
      let pendingRetry;
      // The delay onerror chose for an error the engine does not retry itself (an
      // invalid request, a failing headers function): onerror decides, so retry here.
      let retryAfterStop;
      // Each item of a batch, in stream order (see batch.js).
      const visit = (kind, a, b, c) => {
        // Aborted from a callback (onmessage aborting the signal on `[DONE]`): the
        // rest of the chunk is not delivered.
        if (stopped) return;
        if (kind === 'retry') {
          retryInterval = a;
          pendingRetry = a;
        } else if (kind === 'id') {
          // Kept for connections started here (onclose throwing, the page shown again).
          lastEventId = a;
        } else if (kind === 'event') {
          lastEventId = c;
          // 2.0.1's message: these four keys, `retry` undefined unless the event set it.
          const message = { data: b, event: a ?? '', id: c, retry: pendingRetry };
          pendingRetry = undefined;
          try {
            onmessage?.(message);
          } catch (error) {
            // 2.0.1 stops reading, lets onerror decide, and resumes after this event
            // (its ID is the Last-Event-ID). The engine has parsed past it, so this
            // connection stops here and a new one starts from this event's ID: the
            // rest of the chunk comes again rather than being lost.
            retryLater(error);
          }
        }
      };
      const handlers = {
        connecting: () => {
          caught.threw = false;
          caught.error = undefined;
        },
        check: remembering(onopen),
        open: () => {},
        batch: (textPtr, textLength, ascii, layoutPtr, layoutLength, dataPtr, dataLength) =>
          visitBatch(textPtr, textLength, ascii, layoutPtr, layoutLength, visit, dataPtr, dataLength),
        failed: (info, delay) => {
          if (own.signal.aborted) return undefined;
          const error = take(caught, info);
          try {
            const interval = retryDelay(error);
            if (delay === undefined) retryAfterStop = interval;
            return interval;
          } catch (innerError) {
            remember(caught, innerError);
            throw innerError;
          }
        },
        closed: (info) => {
          if (own.signal.aborted || finished) return; // stopped here: hidden page or disposed
          if (info === undefined) {
            // The body ended: 2.0.1 calls onclose and resolves; a throw from onclose
            // is an error like any other, which is how callers ask for a reconnect.
            try {
              onclose?.();
            } catch (error) {
              return retryLater(error);
            }
            dispose();
            return resolve();
          }
          // The engine failed (a panic in wasm): onerror decides, as for any error, and a
          // retry starts a new engine on the fresh instance.
          if (info.reason === 'engine_failed') return retryLater(new SseError(info));
          if (retryAfterStop !== undefined) return reconnectAfter(retryAfterStop);
          failWith(take(caught, info));
        },
      };
      startEngine(
        {
          url,
          method: method ?? (isRequest ? input.method : 'GET'),
          // A plain object as in 2.0.1, and also a `Headers` or a function called per request.
          headers,
          body,
          credentials,
          init: rest,
          fetch,
          lastEventId,
          // 2.0.1 retries on its timer whether or not the browser reports a network.
          retry: { reconnectionTime: retryInterval, waitForOnline: false },
          maxEventSize,
          signal: own.signal,
          reconnectAtEnd: false,
        },
        handlers,
      ).catch(failWith);
    }

    function onAbort() {
      dispose();
      resolve();
    }

    inputSignal?.addEventListener('abort', onAbort);
    if (!openWhenHidden && hasDocument) {
      document.addEventListener('visibilitychange', onVisibilityChange);
    }
    create();
  });
}

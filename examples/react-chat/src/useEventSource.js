import { useCallback, useEffect, useRef, useState } from 'react';
import { EventSource } from 'wasm-sse';

const IDLE = { status: 'idle', retryIn: undefined, attempt: undefined, error: null };

/**
 * Opens a wasm-sse `EventSource` when asked, and tracks it as React state.
 *
 * Nothing is opened on render or in an effect: call `start(url, init)` from an event
 * handler. So React StrictMode's double effects cannot send a request twice, and a POST
 * (a chat message, say) goes out exactly once. Starting again closes the previous source.
 *
 * `state.status` is one of:
 * - `'idle'`: never started;
 * - `'connecting'`: the first request is on its way;
 * - `'open'`: the response arrived, events flow;
 * - `'reconnecting'`: the connection failed and the source tries again in `state.retryIn`
 *   ms, as reconnection `state.attempt` in a row (it resumes with `Last-Event-ID`);
 * - `'closed'`: `stop()` was called (also the way to end on a final event like `[DONE]`);
 * - `'error'`: the source gave up; `state.error` is the `SseErrorEvent` (`reason`,
 *   `code`, `message`, and `error.body`, the start of the response body).
 *
 * The source is closed when the component unmounts.
 *
 * @param {object} [options]
 * @param {(event: MessageEvent, stop: () => void) => void} [options.onMessage]
 *   Called for each event, with `stop` to end the stream from inside the handler.
 *   The latest function passed is used; changing it does not reopen anything.
 * @param {(event: import('wasm-sse').SseErrorEvent) => void} [options.onError]
 *   Called for each failure, retried (`event.willRetry`) or final.
 * @param {string[]} [options.events] The event types to listen to (default `['message']`).
 * @returns {{
 *   state: { status: 'idle'|'connecting'|'open'|'reconnecting'|'closed'|'error',
 *            retryIn?: number, attempt?: number, error: import('wasm-sse').SseErrorEvent | null },
 *   start: (url: string | URL, init?: import('wasm-sse').EventSourceInit) => void,
 *   stop: () => void,
 * }}
 *
 * @example
 * const { state, start, stop } = useEventSource({
 *   onMessage: (event, stop) => (event.data === '[DONE]' ? stop() : append(event.data)),
 * });
 * start('/v1/chat/completions', { json: body, headers: { Authorization: `Bearer ${token}` } });
 */
export function useEventSource({ onMessage, onError, events = ['message'] } = {}) {
  const [state, setState] = useState(IDLE);
  const sourceRef = useRef(null);
  const handlers = useRef({ onMessage, onError });
  const eventsKey = events.join('\n');

  // Keep the newest handlers without reopening the source when they change.
  useEffect(() => {
    handlers.current = { onMessage, onError };
  }, [onMessage, onError]);

  const stop = useCallback(() => {
    const source = sourceRef.current;
    if (!source) return;
    sourceRef.current = null;
    source.close();
    setState((s) => ({ ...s, status: 'closed', retryIn: undefined, attempt: undefined }));
  }, []);

  const start = useCallback((url, init) => {
    sourceRef.current?.close();
    const source = new EventSource(url, init);
    sourceRef.current = source;
    setState({ ...IDLE, status: 'connecting' });
    // A replaced or stopped source can still deliver what was already queued: ignore it.
    const current = () => sourceRef.current === source;

    source.onopen = () => {
      if (current()) setState({ ...IDLE, status: 'open' });
    };
    source.onerror = (event) => {
      if (!current()) return;
      if (event.willRetry) {
        setState({ ...IDLE, status: 'reconnecting', retryIn: event.retryIn, attempt: event.attempt });
      } else {
        sourceRef.current = null;
        setState({ ...IDLE, status: 'error', error: event });
      }
      // Last, so a handler may start a new source.
      handlers.current.onError?.(event);
    };
    const deliver = (event) => {
      if (current()) handlers.current.onMessage?.(event, stop);
    };
    for (const type of eventsKey.split('\n')) source.addEventListener(type, deliver);
  }, [eventsKey, stop]);

  // Close on unmount. StrictMode runs this cleanup once right after mounting, before
  // anything was started, which is harmless.
  useEffect(() => () => {
    sourceRef.current?.close();
    sourceRef.current = null;
  }, []);

  return { state, start, stop };
}

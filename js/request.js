// A connection's request, built and sent in JavaScript. The engine calls `send` for each
// connection; the first one can go out before the wasm has loaded (engine.js), so a
// page's first request waits neither for the .wasm's download nor for its compilation.

/**
 * The engine's request function for normalised `options` (see engine.js):
 * `(lastEventId, signal) => Promise`, fulfilled with the `Response`, or with
 * `[context, thrown]` or `[reason]` when no request could be built (src/transport/request.rs reports
 * it as an invalid request, which is not retried); rejected when `fetch` rejects.
 */
export function requester({ url, method = 'GET', headers, body, contentType, credentials, init, fetch: fetchFn }) {
  return async (lastEventId, signal) => {
    let list;
    try {
      list = await perConnection(headers);
    } catch (thrown) {
      return ['the headers function failed', thrown];
    }
    // Stopped meanwhile (closed, aborted, the page hidden): the caller's body function and
    // fetch are not called for a connection that no one waits for.
    signal.throwIfAborted();
    let requestHeaders;
    try {
      requestHeaders = new Headers(list ?? undefined);
      // [spec] "Set (`Accept`, `text/event-stream`) in request's header list." Kept
      // when the caller chose their own.
      if (!requestHeaders.has('accept')) requestHeaders.set('accept', 'text/event-stream');
      if (contentType !== undefined && !requestHeaders.has('content-type')) requestHeaders.set('content-type', contentType);
      const id = lastEventIdHeader(lastEventId);
      if (id !== undefined) requestHeaders.set('last-event-id', id);
    } catch (thrown) {
      return ['invalid headers', thrown];
    }
    let payload;
    try {
      payload = await perConnection(body);
    } catch (thrown) {
      return ['the body function failed', thrown];
    }
    signal.throwIfAborted();
    const request = { ...init, method, headers: requestHeaders };
    if (payload !== undefined && payload !== null) {
      if (/^(GET|HEAD)$/i.test(method)) return [`a ${method} request cannot have a body`];
      request.body = payload;
    }
    // [spec] "Set request's cache mode to "no-store"."
    request.cache = 'no-store';
    if (credentials !== undefined) request.credentials = credentials;
    request.signal = signal;
    if (fetchFn) return fetchFn(url, request);
    // Built first, so that options fetch cannot take (an unknown `credentials` or `mode`,
    // a bad URL) make an invalid request, not a network error to retry for ever.
    let prepared;
    try {
      prepared = new Request(url, request);
    } catch (thrown) {
      return [thrown];
    }
    return fetch(prepared);
  };
}

/** A request part: a value, or a function called for each connection (maybe async). */
const perConnection = async (part) => (typeof part === 'function' ? part() : part);

/**
 * [spec] "If the EventSource object's last event ID string is not the empty string, set
 * (`Last-Event-ID`, last event ID string, encoded as UTF-8) in request's header list."
 * `fetch` takes header values as byte strings, one byte a character: so the UTF-8 bytes,
 * one per character. Undefined for the empty string, and for IDs no header can carry (CR,
 * LF or NUL, which the parser never stores but a caller's ID may hold). As
 * `last_event_id_header` in src/state.rs, which the Rust API uses.
 */
function lastEventIdHeader(id) {
  if (!id || /[\0\r\n]/.test(id)) return undefined;
  if (!/[^\0-\x7f]/.test(id)) return id;
  let bytes = '';
  for (const byte of new TextEncoder().encode(id)) bytes += String.fromCharCode(byte);
  return bytes;
}

// Helpers for tests/web.rs: real browser Responses whose bodies arrive in chosen chunks.

/**
 * A `Response` whose body is a `ReadableStream` delivering `chunks` (Uint8Arrays) one at
 * a time, each in its own task, so the reader sees exactly these boundaries.
 */
export function chunkedResponse(chunks) {
  let next = 0;
  const body = new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (next < chunks.length) controller.enqueue(chunks[next++]);
      else controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

/** A `Response` built from a string: the browser picks the chunking. */
export function textResponse(text) {
  return new Response(text, { headers: { 'content-type': 'text/event-stream' } });
}

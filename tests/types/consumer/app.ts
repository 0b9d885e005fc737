// A user's TypeScript module that imports the package by name, as an app would after
// `npm install wasm-sse`: tests/e2e/types.test.mjs type-checks it with tsc under both
// `moduleResolution: bundler` and `node16`, so the package's `exports` must lead to its types.
import { EventSource, SseError, createParser, fetchEventSource, init, type SseErrorEvent } from 'wasm-sse';

interface ChatChunk {
  choices: { delta: { content?: string } }[];
}

/** Streams a chat answer, calling `onText` for each piece; resolves with the whole text. */
export async function streamChat(question: string, token: string, onText: (piece: string) => void): Promise<string> {
  const source = new EventSource('/v1/chat/completions', {
    json: { model: 'wasm-sse-demo', stream: true, messages: [{ role: 'user', content: question }] },
    headers: { Authorization: `Bearer ${token}` },
    retry: { maxAttempts: 3, backoff: true },
    onComment: (text) => console.debug('heartbeat', text.length),
  });
  source.addEventListener('error', (event: SseErrorEvent) => {
    if (event.willRetry) console.warn(`reconnecting in ${event.retryIn ?? 0} ms (attempt ${event.attempt ?? 0})`);
  });
  let answer = '';
  try {
    for await (const event of source) {
      if (event.data === '[DONE]') break;
      const piece = (JSON.parse(event.data) as ChatChunk).choices[0]?.delta.content ?? '';
      answer += piece;
      onText(piece);
    }
  } catch (error) {
    if (error instanceof SseError && error.status === 401) throw new Error(`bad token: ${error.body ?? ''}`);
    throw error;
  }
  return answer;
}

/** The same with the @microsoft/fetch-event-source API. */
export function streamWithFetch(signal: AbortSignal): Promise<void> {
  return fetchEventSource('/events', {
    signal,
    onmessage: (message) => console.log(message.id, message.event, message.data),
    onerror: (error: unknown) => (error instanceof SseError && !error.retryable ? undefined : 1000),
  });
}

export async function parseAll(chunks: Uint8Array[]): Promise<string[]> {
  await init();
  const parser = await createParser({ maxEventSize: 1 << 20 });
  const data: string[] = [];
  for (const chunk of chunks) {
    for (const item of parser.feed(chunk)) if (item.kind === 'event') data.push(item.data);
  }
  return data;
}

// Compile-time checks of the package's types (run by tests/e2e/types.test.mjs with tsc).
// Each `@ts-expect-error` must stay an error: tsc fails if one stops being one.
import {
  EventSource,
  fetchEventSource,
  type EventSourceMessage,
  type FetchEventSourceInit,
  SseError,
  SseErrorEvent,
} from '../../pkg/index.js';

// The class stands where the browser's EventSource is expected.
EventSource satisfies typeof globalThis.EventSource;
const Native: typeof globalThis.EventSource = EventSource;
const instance: globalThis.EventSource = new EventSource('/events');
new Native('/events', { withCredentials: true });
instance.close();

// The extra options, typed.
const source = new EventSource('/chat', {
  method: 'POST',
  json: { prompt: 'hi' },
  headers: async () => ({ Authorization: `Bearer ${await Promise.resolve('t')}` }),
  retry: { backoff: { factor: 2, maxDelay: 10_000 }, maxAttempts: 5, retryStatuses: [429, 503] },
  signal: new AbortController().signal,
  lastEventId: 'é',
});
source.addEventListener('error', (event: SseErrorEvent) => {
  const when: number | undefined = event.retryIn;
  const status: number | undefined = event.error.status;
  return [when, status, event.reason];
});
source.addEventListener('token', (event) => event.data);
// onerror's event is the SseErrorEvent, as the README's examples use it.
source.onerror = (event) => [event.reason, event.code, event.willRetry, event.retryIn, event.message];
source.onerror = null;
const made: SseErrorEvent = new SseErrorEvent(new SseError({ reason: 'network', message: 'offline' }), { willRetry: true, retryIn: 5 });
// @ts-expect-error an SseErrorEvent is made from an SseError, not a type
new SseErrorEvent('error');
// @ts-expect-error an SseError is made from its fields
new SseError('boom');
const state: 0 | 1 | 2 = source.CLOSED;
// @ts-expect-error retry takes a number or a policy object
new EventSource('/x', { retry: 'soon' });
// @ts-expect-error readyState is read-only
source.readyState = 2;

async function iterate() {
  for await (const event of source) {
    const data: string = event.data;
    return data;
  }
}

// fetchEventSource takes the same init as @microsoft/fetch-event-source.
const init: FetchEventSourceInit = {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ q: 1 }),
  openWhenHidden: true,
  async onopen(response) {
    if (!response.ok) throw new Error(String(response.status));
  },
  onmessage(message: EventSourceMessage) {
    const fields: [string, string, string] = [message.id, message.event, message.data];
    return fields;
  },
  onclose() {},
  onerror(err) {
    if (err instanceof TypeError) throw err;
    return 500;
  },
};
const done: Promise<void> = fetchEventSource('/api', init);
// @ts-expect-error onerror returns a delay, not a string
fetchEventSource('/api', { onerror: () => 'later' });

export { done, iterate, made, state };

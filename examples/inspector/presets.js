// Ready-made requests for the demo server (scripts/sse-server.mjs): its live endpoints and
// the scenario routes that show one behaviour each. Choosing one fills the request form.

const CHAT_BODY = JSON.stringify({
  model: 'wasm-sse-demo',
  messages: [{ role: 'user', content: 'How does an event stream resume after a dropped connection?' }],
  stream: true,
}, null, 2);

// Field defaults; a preset lists only what differs.
const BLANK = {
  method: 'GET', url: '', headers: '', body: '', json: false,
  backoff: false, maxAttempts: '', reconnect: '', retryStatuses: '', stopAtDone: false,
};

export const PRESETS = [
  {
    id: 'ticker', group: 'Live', label: 'Ticker: /events',
    description: 'A tick every 500 ms with ids, a named "status" event every 5th, heartbeat comments and retry: 2000.',
    url: '/events?interval=500',
  },
  {
    id: 'chat', group: 'Live', label: 'Chat completion (POST)',
    description: 'OpenAI-style streaming: POST a JSON conversation with a bearer token; chunks end with [DONE].',
    method: 'POST', url: '/v1/chat/completions', headers: 'Authorization: Bearer demo-token',
    body: CHAT_BODY, json: true, stopAtDone: true,
  },
  {
    id: 'chat-401', group: 'Live', label: 'Chat with a wrong token (401)',
    description: 'The same request with a token the server refuses: a 401 with a JSON error body, no retry.',
    method: 'POST', url: '/v1/chat/completions', headers: 'Authorization: Bearer wrong-token',
    body: CHAT_BODY, json: true, stopAtDone: true,
  },
  {
    id: 'fields', group: 'Parsing', label: 'Fields: ids, retry, odd lines',
    description: 'A comment, retry: 1500, a named event, an id with a NUL (ignored), an empty id; cut at awkward places.',
    url: '/sse/fields?delay=300',
  },
  {
    id: 'crlf', group: 'Parsing', label: 'CRLF split between CR and LF',
    description: 'Line endings cut between their CR and LF across chunks: still two events, no empty ones.',
    url: '/sse/crlf-split?delay=300',
  },
  {
    id: 'utf8', group: 'Parsing', label: 'UTF-8 split inside characters',
    description: 'Multi-byte characters cut mid-sequence across chunks: the event still reads 你好 😀.',
    url: '/sse/utf8-split?delay=300',
  },
  {
    id: 'resume', group: 'Reconnection', label: 'Resume after drops',
    description: 'The connection is cut after every 3 events; the client waits retry: 800 and resumes with Last-Event-ID.',
    url: '/sse/resume?total=8&dropAfter=3&retry=800',
  },
  {
    id: 'end', group: 'Reconnection', label: 'Server ends the body',
    description: 'Three events, then the body ends: an EventSource reconnects, as the spec says.',
    url: '/sse/end?count=3',
  },
  {
    id: 'flaky', group: 'Reconnection', label: 'Flaky: two 503s, then a stream',
    description: 'The first two requests fail with 503; retrying 503 with backoff reaches the stream on the third.',
    url: '/sse/flaky?key={random}&failures=2', backoff: true, maxAttempts: '5', reconnect: '500', retryStatuses: '503',
  },
  {
    id: 'status-500', group: 'Failures', label: 'HTTP 500',
    description: 'A plain HTML error page instead of a stream: fatal, the source closes.',
    url: '/sse/status?code=500',
  },
  {
    id: 'status-204', group: 'Failures', label: 'HTTP 204 No Content',
    description: 'The server asks the client to stop: closed without reconnecting.',
    url: '/sse/status?code=204',
  },
  {
    id: 'html', group: 'Failures', label: '200 but text/html',
    description: 'A 200 response that is not text/event-stream: fatal content_type error.',
    url: '/sse/status?code=200&type=text/html',
  },
];

/** The form values for a preset. `{random}` becomes a fresh key: the flaky route counts requests per key. */
export function presetValues(preset) {
  const values = { ...BLANK, ...preset };
  values.url = values.url.replace('{random}', () => Math.random().toString(36).slice(2, 10));
  return values;
}

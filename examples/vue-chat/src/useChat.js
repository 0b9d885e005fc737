// The chat's state and its one stream: POST the conversation, read the answer with
// `for await`, follow reconnects and failures through `source.onerror`.
import { computed, reactive, ref } from 'vue';
import { EventSource } from 'wasm-sse';

const MODEL = 'wasm-sse-demo';
const STATUS_TEXT = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  408: 'Request Timeout', 413: 'Payload Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** A readable line for a failure: "401 Unauthorized: <the server's message>" for HTTP errors. */
export function describeError(error) {
  if (error?.reason !== 'status') return error?.message ?? String(error);
  const head = `${error.status} ${STATUS_TEXT[error.status] ?? 'Error'}`;
  return `${head}: ${serverMessage(error.body) ?? error.message}`;
}

// OpenAI-style bodies are `{"error":{"message":…}}`; short plain-text bodies are shown as they are.
function serverMessage(body) {
  if (!body) return null;
  try {
    const parsed = JSON.parse(body);
    const message = parsed?.error?.message ?? parsed?.message ?? parsed?.error;
    return typeof message === 'string' ? message : null;
  } catch {
    const text = body.trim();
    return text && text.length <= 200 && !text.startsWith('<') ? text : null;
  }
}

/** The endpoint with `dropAfter=12` added when the drop checkbox is on. */
function requestUrl(endpoint, drop) {
  if (!drop) return endpoint;
  return `${endpoint}${endpoint.includes('?') ? '&' : '?'}dropAfter=12`;
}

export function useChat() {
  const settings = reactive({ token: 'demo-token', endpoint: '/v1/chat/completions', drop: false });
  const messages = ref([]);
  const status = reactive({ state: 'idle', text: 'Ready' });
  const error = ref(null);
  const running = computed(() => ['connecting', 'streaming', 'reconnecting'].includes(status.state));
  let source = null;
  let nextId = 1;

  const setStatus = (state, text) => Object.assign(status, { state, text });

  async function send(prompt) {
    const question = prompt.trim();
    if (!question || running.value) return;
    // Earlier turns, minus answers that never got any text.
    const history = messages.value
      .filter((m) => m.role === 'user' || m.text !== '')
      .map((m) => ({ role: m.role, content: m.text }));
    messages.value.push({ id: nextId++, role: 'user', text: question });
    messages.value.push({ id: nextId++, role: 'assistant', text: '', live: true, note: '' });
    // The reactive proxy of the new answer, so each appended piece re-renders it.
    const reply = messages.value.at(-1);
    error.value = null;
    setStatus('connecting', 'Connecting…');

    const started = performance.now();
    let reconnects = 0;
    let failed = false;
    const current = new EventSource(requestUrl(settings.endpoint, settings.drop), {
      json: { model: MODEL, stream: true, messages: [...history, { role: 'user', content: question }] },
      headers: { Authorization: `Bearer ${settings.token}` },
      retry: { maxAttempts: 3 },
    });
    source = current;

    const fail = (cause) => {
      if (failed) return;
      failed = true;
      error.value = describeError(cause);
      setStatus('error', 'Request failed');
    };
    current.onopen = () =>
      setStatus('streaming', reconnects ? `Streaming… (resumed after ${reconnects} reconnect${reconnects > 1 ? 's' : ''})` : 'Streaming…');
    current.onerror = (ev) => {
      if (ev.willRetry) {
        reconnects += 1;
        setStatus('reconnecting', `Connection lost: reconnecting in ${(ev.retryIn / 1000).toFixed(1)} s (attempt ${ev.attempt})`);
      } else {
        fail(ev.error);
      }
    };

    let finished = false;
    try {
      for await (const ev of current) {
        // The stream ends with `[DONE]` and then the body ends: leaving the loop closes
        // the source, so it does not reconnect and ask again.
        if (ev.data === '[DONE]') {
          finished = true;
          break;
        }
        reply.text += JSON.parse(ev.data).choices?.[0]?.delta?.content ?? '';
      }
    } catch (e) {
      fail(e);
    }

    reply.live = false;
    if (source === current) source = null;
    if (finished) {
      setStatus('done', `Done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } else if (failed) {
      // An answer that failed before any text is dropped; a partial one stays, marked.
      if (reply.text === '') messages.value.splice(messages.value.indexOf(reply), 1);
      else reply.note = 'interrupted';
    } else {
      reply.note = 'stopped';
    }
  }

  function stop() {
    if (!source || !running.value) return;
    setStatus('stopped', 'Stopped');
    source.close();
  }

  return { settings, messages, status, error, running, send, stop };
}

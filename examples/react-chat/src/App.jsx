import { useEffect, useRef, useState } from 'react';
import { useEventSource } from './useEventSource.js';

const MODEL = 'wasm-sse-demo';
const STATUS_TEXT = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

let nextId = 1;
const message = (role, text = '') => ({ id: nextId++, role, text, mark: null });

/** "401 Unauthorized: <the server's own message>", or the client's message for network errors. */
function describeError(event) {
  if (!event.code) return event.message;
  const body = event.error?.body?.trim() ?? '';
  let detail = '';
  try {
    const json = JSON.parse(body);
    detail = json?.error?.message ?? json?.message ?? (typeof json?.error === 'string' ? json.error : '');
  } catch {
    detail = body.length <= 200 ? body : '';
  }
  return `${event.code} ${STATUS_TEXT[event.code] ?? 'Error'}: ${detail || event.message}`;
}

function withDrop(endpoint) {
  return `${endpoint}${endpoint.includes('?') ? '&' : '?'}dropAfter=12`;
}

export default function App() {
  const [token, setToken] = useState('demo-token');
  const [endpoint, setEndpoint] = useState('/v1/chat/completions');
  const [drop, setDrop] = useState(false);
  const [prompt, setPrompt] = useState('');
  const [messages, setMessages] = useState([]);
  const [outcome, setOutcome] = useState(null); // 'done' | 'stopped' once a stream ends on purpose
  const [elapsed, setElapsed] = useState(0);
  const answerId = useRef(0);
  const startedAt = useRef(0);
  const listRef = useRef(null);

  const updateAnswer = (update) =>
    setMessages((ms) => ms.map((m) => (m.id === answerId.current ? update(m) : m)));
  // A stopped or failed answer with no text carries nothing: drop it from the conversation.
  const endAnswer = (mark) =>
    setMessages((ms) => ms.flatMap((m) => {
      if (m.id !== answerId.current) return [m];
      return m.text === '' ? [] : [{ ...m, mark }];
    }));

  const { state, start, stop } = useEventSource({
    onMessage(event, stopSource) {
      if (event.data === '[DONE]') {
        // The body ends after [DONE]: close now, or the source would reconnect and POST again.
        stopSource();
        setOutcome('done');
        setElapsed(performance.now() - startedAt.current);
        return;
      }
      let piece;
      try {
        piece = JSON.parse(event.data).choices?.[0]?.delta?.content;
      } catch {
        return;
      }
      if (piece) updateAnswer((m) => ({ ...m, text: m.text + piece }));
    },
    onError(event) {
      if (!event.willRetry) endAnswer('failed');
    },
  });

  const running = ['connecting', 'open', 'reconnecting'].includes(state.status);
  const status = state.status === 'closed' ? outcome : state.status === 'open' ? 'streaming' : state.status;

  function send() {
    const text = prompt.trim();
    if (!text || running) return;
    const question = message('user', text);
    const answer = message('assistant');
    const history = [...messages, question].map(({ role, text: content }) => ({ role, content }));
    answerId.current = answer.id;
    startedAt.current = performance.now();
    setMessages((ms) => [...ms, question, answer]);
    setPrompt('');
    setOutcome(null);
    start(drop ? withDrop(endpoint) : endpoint, {
      json: { model: MODEL, stream: true, messages: history },
      headers: { Authorization: `Bearer ${token}` },
      retry: { maxAttempts: 3 },
    });
  }

  function onStop() {
    stop();
    setOutcome('stopped');
    endAnswer('stopped');
  }

  // Keep the newest text in view as it streams.
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [messages]);

  return (
    <div className="app">
      <header className="header">
        <div className="logo" aria-hidden="true">⚡</div>
        <div>
          <h1>React chat</h1>
          <p>An OpenAI-style streaming chat on wasm-sse's EventSource, through a small useEventSource hook.</p>
        </div>
      </header>

      <section className="settings" aria-label="Connection settings">
        <label className="field">
          <span>Token</span>
          <input data-testid="token" type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" />
        </label>
        <label className="field grow">
          <span>Endpoint</span>
          <input data-testid="endpoint" type="text" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} spellCheck="false" />
        </label>
        <label className="check">
          <input data-testid="drop" type="checkbox" checked={drop} onChange={(e) => setDrop(e.target.checked)} />
          <span>Drop the connection once mid-answer</span>
        </label>
      </section>

      <main className="conversation" ref={listRef}>
        {messages.length === 0 && (
          <div className="empty">
            <strong>Ask anything.</strong> The demo server streams a short answer about Server-Sent Events, piece by piece.
          </div>
        )}
        {messages.map((m) => (
          <Message key={m.id} message={m} live={running && m.id === answerId.current} />
        ))}
      </main>

      <footer className="composer-area">
        <div className="status-row">
          <div data-testid="status" data-state={status ?? 'idle'} className={`status ${status ?? 'idle'}`}>
            <span className="dot" aria-hidden="true" />
            {statusText(status ?? 'idle', state, elapsed)}
          </div>
        </div>
        {state.status === 'error' && (
          <div data-testid="error" className="error-box" role="alert">{describeError(state.error)}</div>
        )}
        <form className="composer" onSubmit={(e) => { e.preventDefault(); send(); }}>
          <textarea
            data-testid="prompt"
            value={prompt}
            rows={2}
            placeholder="Ask a question… (Enter sends, Shift+Enter for a new line)"
            onChange={(e) => setPrompt(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                send();
              }
            }}
          />
          <div className="buttons">
            <button data-testid="send" type="submit" className="primary" disabled={running || !prompt.trim()}>Send</button>
            <button data-testid="stop" type="button" disabled={!running} onClick={onStop}>Stop</button>
          </div>
        </form>
      </footer>
    </div>
  );
}

function statusText(status, state, elapsed) {
  switch (status) {
    case 'connecting': return 'Connecting…';
    case 'streaming': return 'Streaming…';
    case 'reconnecting':
      return `Connection lost: reconnecting in ${(state.retryIn / 1000).toFixed(1)} s (attempt ${state.attempt})`;
    case 'done': return `Done in ${(elapsed / 1000).toFixed(1)} s`;
    case 'stopped': return 'Stopped';
    case 'error': return 'The request failed';
    default: return 'Ready';
  }
}

function Message({ message: m, live }) {
  return (
    <div data-testid="message" data-role={m.role} className={`message ${m.role}`}>
      <div className="bubble">
        <span data-testid="message-text" className="text">{m.text}</span>
        {live && (m.text ? <span className="caret" aria-hidden="true" /> : <span className="typing" aria-label="Thinking"><i /><i /><i /></span>)}
        {m.mark && <span className="mark">({m.mark})</span>}
      </div>
    </div>
  );
}

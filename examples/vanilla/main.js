// In your app: import { EventSource } from 'wasm-sse' (through a bundler, or from your own
// copy of the package). This page loads the built package by URL so it needs no build step.
import { EventSource } from '../../pkg/index.js';

const $ = (id) => document.getElementById(id);

// (a) A GET feed: the browser's EventSource API, unchanged.
let feed;
let ticks = 0;

$('connect').addEventListener('click', () => {
  feed?.close();
  feed = new EventSource('/events?interval=700');
  feed.onopen = () => { showFeedState(); say($('feed-error'), ''); };
  feed.onmessage = (e) => {
    $('tick-count').textContent = ++ticks;
    addLine($('ticks'), `#${e.lastEventId}  ${e.data}`);
  };
  feed.addEventListener('status', (e) => addLine($('statuses'), `#${e.lastEventId}  status: ${e.data}`));
  feed.onerror = (e) => {
    showFeedState();
    say($('feed-error'), e.willRetry ? `${e.message}. Reconnecting in ${e.retryIn} ms.` : describe(e));
  };
  showFeedState();
});

$('close').addEventListener('click', () => {
  feed.close();
  showFeedState();
});

// (b) A POST stream: the same class, with a JSON body and a bearer token.
let chat;

$('ask').addEventListener('submit', (event) => {
  event.preventDefault();
  $('answer').textContent = '';
  setChat('connecting');
  chat = new EventSource('/v1/chat/completions', {
    headers: { Authorization: `Bearer ${$('token').value}` },
    json: { model: 'demo', stream: true, messages: [{ role: 'user', content: $('question').value }] },
  });
  chat.onopen = () => setChat('streaming');
  chat.onmessage = (e) => {
    // The server ends the body after [DONE]; close first, or EventSource would reconnect.
    if (e.data === '[DONE]') return setChat('done');
    $('answer').textContent += JSON.parse(e.data).choices[0].delta.content ?? '';
    $('answer').scrollTop = $('answer').scrollHeight; // keep the newest words in view
  };
  chat.onerror = (e) => {
    if (e.willRetry) setChat('reconnecting', `reconnecting in ${e.retryIn} ms`);
    else setChat('failed', describe(e));
  };
});

$('stop').addEventListener('click', () => setChat('stopped'));

// ---------------------------------------------------------------------------------------
// Showing it on the page.

function showFeedState() {
  const state = ['connecting', 'open', 'closed'][feed.readyState];
  $('feed-state').dataset.state = state;
  $('feed-state').textContent = state;
  $('connect').disabled = state !== 'closed';
  $('close').disabled = state === 'closed';
}

function setChat(state, detail = '') {
  const running = ['connecting', 'streaming', 'reconnecting'].includes(state);
  if (!running) chat.close();
  $('chat-state').dataset.state = state;
  $('chat-state').textContent = state === 'reconnecting' ? detail : state;
  say($('chat-error'), state === 'failed' ? detail : '');
  $('send').disabled = running;
  $('stop').disabled = !running;
}

function say(el, text) {
  el.textContent = text;
  el.hidden = !text;
}

function addLine(list, text) {
  list.prepend(Object.assign(document.createElement('li'), { textContent: text }));
  list.children[50]?.remove(); // keep the page light on a long-running feed
}

// An HTTP error's JSON body usually says more than the status line.
function describe(e) {
  try {
    return `HTTP ${e.code}: ${JSON.parse(e.error.body).error.message}`;
  } catch {
    return e.message;
  }
}

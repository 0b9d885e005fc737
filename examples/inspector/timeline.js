// The timeline: one table row per item a source reports, with counters, pause, a filter
// and "Copy as JSON". It knows nothing about the client; inspector.js feeds it entries:
//   { t, kind, type?, id?, data?, retry?, delay?, attempt?, reason?, status?, message?, body?, closeReason?, note? }

const LONG = 2000; // characters of data shown before "show all"
const encoder = new TextEncoder();

const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

/** The data of an event, whole if short; long data is cut, and a button shows all of it. */
function payload(data) {
  if (data === '') return el('span', 'placeholder', '(empty data)');
  if (data.length <= LONG) return el('div', 'payload', data);
  const box = el('div', 'payload', data.slice(0, LONG));
  const more = el('button', 'more', `Show all ${data.length.toLocaleString('en')} characters`);
  more.type = 'button';
  more.addEventListener('click', () => {
    box.textContent = data;
    box.classList.add('expanded');
    more.remove();
  }, { once: true });
  const wrap = el('div', 'long');
  wrap.append(box, more);
  return wrap;
}

/** The message of a JSON error body (`{"error":{"message":…}}` or `{"message":…}`), if any. */
function serverMessage(body) {
  try {
    const json = JSON.parse(body);
    const message = json?.error?.message ?? json?.message;
    return typeof message === 'string' ? message : null;
  } catch {
    return null;
  }
}

const status = (entry) => (entry.status === undefined ? [] : [el('span', 'tag', `HTTP ${entry.status}`)]);

/** What the last column shows for each kind of row. */
function details(entry) {
  switch (entry.kind) {
    case 'event':
      return [payload(entry.data)];
    case 'comment':
      return [el('span', 'comment', entry.data)];
    case 'retry':
      return [el('span', 'value', `${entry.retry} ms`), el('span', 'muted', ' reconnection time')];
    case 'open':
      return [el('span', 'muted', entry.data)];
    case 'reconnect':
      return [
        el('span', 'value', `in ${entry.delay} ms`), el('span', 'tag', `attempt ${entry.attempt}`),
        ...status(entry), el('span', 'tag', entry.reason), el('span', 'message', entry.message),
      ];
    case 'error': {
      const parts = [...status(entry), el('span', 'tag', entry.reason), el('span', 'message', entry.message)];
      const said = serverMessage(entry.body);
      if (said) parts.push(el('div', 'said', `Server says: ${said}`));
      if (entry.body) parts.push(el('pre', 'body', entry.body));
      return parts;
    }
    case 'closed':
      return [el('span', 'tag', `closeReason: ${entry.closeReason}`), ...(entry.note ? [el('span', 'muted', entry.note)] : [])];
    default:
      return [];
  }
}

/** The text the filter box searches: the type and the data (or message) of a row. */
const haystack = (entry) => `${entry.type ?? ''}\n${entry.data ?? ''}\n${entry.message ?? ''}`.toLowerCase();

export class Timeline {
  #entries = [];
  #pending = [];
  #paused = false;
  #filter = '';
  #counts = { events: 0, comments: 0, reconnects: 0, errors: 0, bytes: 0 };

  constructor(root) {
    this.root = root;
    this.body = root.querySelector('#rows');
    this.scroller = root.querySelector('.scroller');
    this.pausedLabel = root.querySelector('#paused-count');
    this.pauseButton = root.querySelector('#pause');
    this.copyStatus = root.querySelector('#copy-status');
    this.pauseButton.addEventListener('click', () => this.setPaused(!this.#paused));
    root.querySelector('#clear').addEventListener('click', () => this.clear());
    root.querySelector('#copy').addEventListener('click', () => this.copy());
    root.querySelector('#filter').addEventListener('input', (e) => this.setFilter(e.target.value));
    this.#showCounts();
  }

  /** Adds an entry: counted at once, shown now or, while paused, on resume. */
  add(entry) {
    this.#entries.push(entry);
    this.#count(entry);
    if (this.#paused) {
      this.#pending.push(entry);
      this.#showPaused();
    } else {
      this.#render([entry]);
    }
  }

  setPaused(paused) {
    this.#paused = paused;
    this.pauseButton.textContent = paused ? 'Resume' : 'Pause';
    this.pauseButton.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      const pending = this.#pending.splice(0);
      this.#render(pending);
    }
    this.#showPaused();
  }

  clear() {
    this.#entries = [];
    this.#pending = [];
    this.body.replaceChildren();
    for (const key of Object.keys(this.#counts)) this.#counts[key] = 0;
    this.#showCounts();
    this.#showPaused();
    this.root.classList.add('is-empty');
    this.copyStatus.replaceChildren();
  }

  setFilter(text) {
    this.#filter = text.trim().toLowerCase();
    for (const row of this.body.rows) row.hidden = !this.#matches(row.entry);
  }

  /** Copies every entry (paused and filtered ones too) as a JSON array; offers a download if the clipboard refuses. */
  async copy() {
    const json = JSON.stringify(this.#entries, null, 2);
    const n = this.#entries.length;
    try {
      await navigator.clipboard.writeText(json);
      this.copyStatus.replaceChildren(el('span', 'ok', `Copied ${n} row${n === 1 ? '' : 's'} as JSON`));
    } catch {
      const link = el('a', 'download', `Clipboard refused: download ${n} rows as JSON`);
      link.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      link.download = 'sse-timeline.json';
      this.copyStatus.replaceChildren(link);
    }
  }

  #matches(entry) {
    return !this.#filter || haystack(entry).includes(this.#filter);
  }

  #render(entries) {
    if (!entries.length) return;
    const { scroller } = this;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    const rows = entries.map((entry) => {
      const tr = el('tr', `row kind-${entry.kind}`);
      tr.entry = entry;
      tr.hidden = !this.#matches(entry);
      const data = el('td', 'data');
      data.append(...details(entry));
      tr.append(
        el('td', 't', String(entry.t)), el('td', 'kind', entry.kind),
        el('td', entry.type && entry.type !== 'message' ? 'type named' : 'type', entry.type ?? ''), el('td', 'id', entry.id ?? ''), data,
      );
      return tr;
    });
    this.body.append(...rows);
    this.root.classList.remove('is-empty');
    if (atBottom) scroller.scrollTop = scroller.scrollHeight; // follow the stream unless the user scrolled up
  }

  #count(entry) {
    const c = this.#counts;
    if (entry.kind === 'event') {
      c.events += 1;
      c.bytes += encoder.encode(entry.data).length;
    } else if (entry.kind === 'comment') c.comments += 1;
    else if (entry.kind === 'reconnect') c.reconnects += 1;
    else if (entry.kind === 'error') c.errors += 1;
    this.#showCounts();
  }

  #showCounts() {
    for (const [key, value] of Object.entries(this.#counts)) {
      this.root.ownerDocument.getElementById(`count-${key}`).textContent = value.toLocaleString('en');
    }
  }

  #showPaused() {
    const n = this.#pending.length;
    this.pausedLabel.textContent = `${n} paused`;
    this.pausedLabel.hidden = !this.#paused;
  }
}

// The request form: filling it from a preset, and turning it into the EventSource's URL and
// init, with a readable message for the first thing that is wrong.
import { PRESETS, presetValues } from './presets.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export class RequestForm {
  constructor(form) {
    this.form = form;
    this.f = form.elements;
    this.description = document.getElementById('preset-description');
    this.#fillPresets();
    this.f.preset.addEventListener('change', () => this.applyPreset(this.f.preset.value));
    this.f.method.addEventListener('change', () => this.#syncBody());
  }

  #fillPresets() {
    const groups = new Map();
    for (const preset of PRESETS) {
      if (!groups.has(preset.group)) {
        const group = document.createElement('optgroup');
        group.label = preset.group;
        groups.set(preset.group, group);
      }
      groups.get(preset.group).append(new Option(preset.label, preset.id));
    }
    const custom = new Option('Custom request', '');
    this.f.preset.replaceChildren(...groups.values(), custom);
    // Editing a field makes the request a custom one; the description no longer applies.
    this.form.addEventListener('input', (e) => {
      if (e.target === this.f.preset) return;
      this.f.preset.value = '';
      this.description.textContent = 'Custom request.';
    });
  }

  applyPreset(id) {
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset) return;
    const v = presetValues(preset);
    this.f.preset.value = id;
    this.description.textContent = preset.description;
    this.f.method.value = v.method;
    this.f.url.value = v.url;
    this.f.headers.value = v.headers;
    this.f.body.value = v.body;
    this.f.json.checked = v.json;
    this.f.backoff.checked = v.backoff;
    this.f.maxAttempts.value = v.maxAttempts;
    this.f.reconnect.value = v.reconnect;
    this.f.retryStatuses.value = v.retryStatuses;
    this.f.stopAtDone.checked = v.stopAtDone;
    this.#syncBody();
  }

  #syncBody() {
    const get = this.f.method.value === 'GET';
    this.f.body.disabled = get;
    this.f.json.disabled = get;
    this.f.body.placeholder = get ? 'Not sent with GET' : '{"message": "hello"}';
  }

  /** `{ url, init, stopAtDone }`, or `{ error }` saying what to fix. */
  read() {
    const method = this.f.method.value;
    const url = this.f.url.value.trim();
    if (!url) return { error: 'Enter a URL, absolute or relative to this page.' };
    const headers = parseHeaders(this.f.headers.value);
    if (headers.error) return headers;
    const init = { method, headers: headers.list };
    if (method !== 'GET' && this.f.body.value.trim() !== '') {
      init.body = this.f.body.value;
      if (this.f.json.checked) {
        try {
          JSON.parse(init.body);
        } catch (e) {
          return { error: `The body is not valid JSON: ${e.message}` };
        }
        if (!headers.list.some(([name]) => name.toLowerCase() === 'content-type')) {
          headers.list.push(['Content-Type', 'application/json']);
        }
      }
    }
    const retry = this.#retry();
    if (retry.error) return retry;
    if (retry.policy) init.retry = retry.policy;
    return { url, init, stopAtDone: this.f.stopAtDone.checked };
  }

  #retry() {
    const policy = {};
    if (this.f.backoff.checked) policy.backoff = true;
    const attempts = this.f.maxAttempts.value.trim();
    if (attempts) {
      if (!/^\d+$/.test(attempts) || Number(attempts) < 1) return { error: 'Max attempts must be a whole number of at least 1.' };
      policy.maxAttempts = Number(attempts);
    }
    const reconnect = this.f.reconnect.value.trim();
    if (reconnect) {
      if (!/^\d+$/.test(reconnect)) return { error: 'The reconnection time must be a whole number of milliseconds.' };
      policy.reconnectionTime = Number(reconnect);
    }
    const statuses = this.f.retryStatuses.value.split(/[\s,]+/).filter(Boolean);
    if (statuses.some((s) => !/^[1-5]\d\d$/.test(s))) return { error: 'Retry statuses must be HTTP codes, e.g. "429, 503".' };
    if (statuses.length) policy.retryStatuses = statuses.map(Number);
    return { policy: Object.keys(policy).length ? policy : null };
  }
}

/** `Name: value` lines (blank lines skipped) → [[name, value], …], or `{ error }`. */
export function parseHeaders(text) {
  const list = [];
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    if (!TOKEN.test(name)) return { error: `Headers, line ${i + 1}: expected "Name: value", got "${line.trim()}".` };
    list.push([name, line.slice(colon + 1).trim()]);
  }
  return { list };
}

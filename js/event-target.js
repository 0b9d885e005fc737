// An EventTarget that also keeps its listener list in JavaScript, so that a source can
// invoke the listeners of its own message events without the browser's dispatchEvent
// (see message-event.js), and knows when nobody listens.
//
// The browser keeps the same list: each listener is registered with it as a wrapper,
// so events dispatched the ordinary way (open, error, any an app dispatches) reach the
// same listeners in the same order, with the browser's own semantics. Adding and
// removing go through this class, which keeps the two lists alike; `once` and `signal`
// are handled here, since the browser cannot say when it dropped a listener.
import { SseMessageEvent } from './message-event.js';

const NO_LISTENERS = Object.freeze([]);

// [DOM] "flatten more": the capture flag, and for addEventListener once, passive, signal.
const captureOf = (options) => (typeof options === 'boolean' ? options : Boolean(options?.capture));

// [DOM] "inner invoke" for one listener: a function is called with the target as `this`,
// an object's `handleEvent` with the object.
function call(listener, event) {
  const { callback, target } = listener;
  if (typeof callback === 'function') return callback.call(target, event);
  const handleEvent = callback.handleEvent;
  if (typeof handleEvent !== 'function') throw new TypeError("The provided callback's handleEvent is not a function.");
  return handleEvent.call(callback, event);
}

// Methods for this module only, under symbols it keeps to itself.
const REMOVE = Symbol('remove');
const LISTENS = Symbol('listens');
const DISPATCH_NEW = Symbol('dispatchNew');

// A listener reached through either list: skipped once removed, dropped before its call
// when it is `once`.
function invoke(listener, event) {
  if (listener.removed) return undefined;
  if (listener.once) listener.target[REMOVE](listener);
  return call(listener, event);
}

// zone.js (Angular) wraps each listener as it is added, so that it runs in the zone that
// added it, and only the browser's dispatch calls those wrappers: once a listener has
// been added with zone.js loaded, message events go through the browser's dispatch too.
// Asked when a listener is added, not per event: looking up a global the page does not
// have walks the window's named properties, about 30 ns an event in Chromium.
const zoneJsLoaded = () => globalThis.Zone !== undefined;

export class JsEventTarget extends EventTarget {
  // type → the listeners, in order. Each array is replaced, never changed, so a dispatch
  // can go through the list as it was when it began.
  #listeners = new Map();
  // Whether zone.js was loaded when a listener was added (see zoneJsLoaded).
  #zoned = false;

  addEventListener(type, callback, options) {
    if (callback === null || callback === undefined) return;
    if (typeof callback !== 'function' && typeof callback !== 'object') {
      throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': parameter 2 is not of type 'Object'.");
    }
    type = String(type);
    const capture = captureOf(options);
    const { once = false, passive, signal } = typeof options === 'object' && options !== null ? options : {};
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': member signal is not of type 'AbortSignal'.");
    }
    // [DOM] "If listener's signal is not null and is aborted, then return."
    if (signal?.aborted) return;
    const list = this.#listenersOf(type);
    if (list.some((l) => l.callback === callback && l.capture === capture)) return;
    const listener = { target: this, type, callback, capture, once: Boolean(once), removed: false, native: null, signal, onAbort: null };
    listener.native = (event) => invoke(listener, event);
    this.#listeners.set(type, [...list, listener]);
    this.#zoned ||= zoneJsLoaded();
    super.addEventListener(type, listener.native, { capture, passive });
    if (signal) {
      listener.onAbort = () => this[REMOVE](listener);
      signal.addEventListener('abort', listener.onAbort, { once: true });
    }
  }

  removeEventListener(type, callback, options) {
    const capture = captureOf(options);
    const listener = this.#listeners.get(String(type))?.find((l) => l.callback === callback && l.capture === capture);
    if (listener) this[REMOVE](listener);
  }

  /** [DOM] "remove an event listener": marked removed for a dispatch under way. */
  [REMOVE](listener) {
    if (listener.removed) return;
    listener.removed = true;
    // A signal may outlive the listener by far: its abort listener would keep it alive.
    listener.signal?.removeEventListener('abort', listener.onAbort);
    const rest = this.#listenersOf(listener.type).filter((l) => l !== listener);
    if (rest.length) this.#listeners.set(listener.type, rest);
    else this.#listeners.delete(listener.type);
    super.removeEventListener(listener.type, listener.native, listener.capture);
  }

  dispatchEvent(event) {
    if (this.#zoned || !SseMessageEvent.dispatchable(event)) return super.dispatchEvent(event);
    return SseMessageEvent.dispatchAt(event, this, this.#listenersOf(event.type), invoke);
  }

  [LISTENS](type) {
    return this.#listeners.has(type);
  }

  [DISPATCH_NEW](event) {
    if (this.#zoned) return super.dispatchEvent(event);
    return SseMessageEvent.dispatchNew(event, this, this.#listenersOf(event.type), invoke);
  }

  #listenersOf(type) {
    return this.#listeners.get(type) ?? NO_LISTENERS;
  }
}

/** Whether `target` has a listener for events of `type`. */
export const hasListeners = (target, type) => target[LISTENS](type);

/**
 * Dispatches a message event `target` has just made, as its `dispatchEvent` would, less
 * the checks an event from elsewhere needs. A subclass overriding `dispatchEvent` must be
 * given the event through it instead.
 */
export const dispatchNew = (target, event) => target[DISPATCH_NEW](event);

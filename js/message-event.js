// The `message` events an `EventSource` fires, and their dispatch at the source.
//
// Constructing a real `MessageEvent` is the largest per-event cost of the class (in
// Chromium about 1.5 µs with `{ data }`, 2 µs with `origin` and `lastEventId` too, against
// 0.3 µs for an `Event`), and the browser's `dispatchEvent` the next (about 0.7 µs with
// one listener, against well under 0.1 µs for calling the listeners from JavaScript). So
// these are `Event`s whose prototype chain runs through `MessageEvent.prototype`, and the
// source calls their listeners itself, doing what DOM dispatch does at a target that is in
// no tree (see `dispatchAt`): `instanceof MessageEvent` holds, `toString` says
// `[object MessageEvent]`, every attribute of a MessageEvent reads as on one made by
// script, and `target`, `currentTarget`, `eventPhase` and `composedPath()` read as under
// the browser's dispatch. Only MessageEvent's own getters, called directly on one of
// these, refuse it.

const NONE = 0;
const AT_TARGET = 2;
const NO_PORTS = Object.freeze([]);
// Event's own accessors, read on the event itself, for what the browser's dispatch set.
const nativeTarget = Object.getOwnPropertyDescriptor(Event.prototype, 'target').get;
const nativePhase = Object.getOwnPropertyDescriptor(Event.prototype, 'eventPhase').get;

// Reports an exception thrown by a listener as the browser's dispatch does ([DOM] "inner
// invoke": "report exception"): to the global's `error` event and the console, without
// stopping the dispatch. Where `reportError` is missing (Node 20), the exception is
// thrown from a task of its own, which is what Node's EventTarget does with it.
const report =
  typeof globalThis.reportError === 'function'
    ? (error) => globalThis.reportError(error)
    : (error) =>
        setTimeout(() => {
          throw error;
        });

export class SseMessageEvent extends Event {
  #data;
  #origin;
  #lastEventId;
  // `source` and `ports`, which only initMessageEvent sets.
  #more = null;
  // Set by a dispatch at a source (`dispatchAt`, `dispatchNew`): the source it was last
  // dispatched at, whether that dispatch is running, and whether a listener stopped it.
  #target = null;
  #phase = NONE;
  #stopped = false;

  constructor(type, data, origin, lastEventId) {
    super(type);
    this.#data = data;
    this.#origin = origin;
    this.#lastEventId = lastEventId;
  }

  get data() {
    return this.#data;
  }

  get origin() {
    return this.#origin;
  }

  get lastEventId() {
    return this.#lastEventId;
  }

  get source() {
    return this.#more?.source ?? null;
  }

  get ports() {
    return this.#more?.ports ?? NO_PORTS;
  }

  // [DOM] "The target getter steps are to return this's target", which dispatch sets and
  // leaves set; the browser's own, for an event it dispatched since.
  get target() {
    return this.#phase === NONE ? (super.target ?? this.#target) : this.#target;
  }

  get srcElement() {
    return this.target;
  }

  // [DOM] dispatch sets the event's currentTarget for each listener's invocation, and
  // null once it is done.
  get currentTarget() {
    return this.#phase === NONE ? super.currentTarget : this.#target;
  }

  get eventPhase() {
    return this.#phase === NONE ? super.eventPhase : this.#phase;
  }

  composedPath() {
    return this.#phase === NONE ? super.composedPath() : [this.#target];
  }

  stopImmediatePropagation() {
    this.#stopped = true;
    super.stopImmediatePropagation();
  }

  /** [DOM] "The initEvent(type, bubbles, cancelable) method steps are: If this's dispatch
   * flag is set, then return." */
  initEvent(type, bubbles = false, cancelable = false) {
    if (this.#phase === NONE) super.initEvent(type, bubbles, cancelable);
  }

  /** The legacy initialiser, as MessageEvent's: it does nothing while the event is being dispatched. */
  initMessageEvent(type, bubbles = false, cancelable = false, data = null, origin = '', lastEventId = '', source = null, ports = []) {
    if (this.eventPhase !== Event.NONE) return;
    this.initEvent(type, bubbles, cancelable);
    this.#data = data;
    this.#origin = String(origin);
    this.#lastEventId = String(lastEventId);
    this.#more = { source, ports: Object.freeze([...ports]) };
  }

  /**
   * Whether `dispatchAt` can dispatch `event`: one of these, which the browser has not
   * dispatched (then only the browser knows its state, and dispatches it again).
   */
  static dispatchable(event) {
    return typeof event === 'object' && event !== null && #phase in event && nativeTarget.call(event) === null;
  }

  /**
   * [DOM] "dispatch" at a target that is in no tree: sets the event's target, then
   * calls `invoke(listener, event)` for each of `listeners` (the list as it was when the
   * dispatch began, as "inner invoke" takes a clone) until one stops the event's
   * immediate propagation; what a listener throws is reported and the dispatch goes on.
   * Returns false if the event was cancelled.
   */
  static dispatchAt(event, target, listeners, invoke) {
    // [DOM] "If event's dispatch flag is set, or if its initialized flag is not set,
    // then throw an "InvalidStateError" DOMException."
    if (event.#phase !== NONE || nativePhase.call(event) !== NONE) {
      throw new DOMException("Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched.", 'InvalidStateError');
    }
    SseMessageEvent.#run(event, target, listeners, invoke);
    return !event.defaultPrevented;
  }

  /**
   * `dispatchAt` for an event the source has just made: nobody else can have dispatched
   * it, and it cannot be cancelled, so there is nothing to ask the browser first.
   */
  static dispatchNew(event, target, listeners, invoke) {
    SseMessageEvent.#run(event, target, listeners, invoke);
    return true;
  }

  static #run(event, target, listeners, invoke) {
    event.#target = target;
    event.#phase = AT_TARGET;
    try {
      // [DOM] "inner invoke", for each listener: "If event's stop immediate propagation
      // flag is set, then return", even when it was set before the dispatch began. At a
      // target in no tree, stopPropagation() stops nothing, before or during (as in
      // Chromium's dispatch, which the tests compare with).
      for (const listener of listeners) {
        if (event.#stopped) break;
        try {
          invoke(listener, event);
        } catch (error) {
          report(error);
        }
      }
    } finally {
      // [DOM] "Set event's eventPhase attribute to NONE. Set event's currentTarget
      // attribute to null. … Unset event's dispatch flag, stop propagation flag, and
      // stop immediate propagation flag."
      event.#phase = NONE;
      event.#stopped = false;
    }
  }
}
Object.setPrototypeOf(SseMessageEvent.prototype, MessageEvent.prototype);
// Enumerable, as Web IDL attributes and operations are: `for…in` lists what it lists on
// a MessageEvent.
for (const name of Object.getOwnPropertyNames(SseMessageEvent.prototype)) {
  if (name !== 'constructor') Object.defineProperty(SseMessageEvent.prototype, name, { enumerable: true });
}
// Attributes MessageEvent has beyond the standard ones (Chromium's `userActivation`) would
// throw on these events, and break code that copies an event's properties: they read as
// on a MessageEvent made by script, null.
for (const [name, { get }] of Object.entries(Object.getOwnPropertyDescriptors(MessageEvent.prototype))) {
  if (get && !Object.prototype.hasOwnProperty.call(SseMessageEvent.prototype, name)) {
    Object.defineProperty(SseMessageEvent.prototype, name, { get: () => null, enumerable: true, configurable: true });
  }
}

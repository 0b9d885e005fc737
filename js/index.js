// wasm-sse: the public JavaScript API. Types and documentation: index.d.ts.
export { init } from './init.js';
export { Parser, createParser, parseEventStream } from './parser.js';
export { EventSource, SseErrorEvent } from './event-source.js';
export { fetchEventSource, EventStreamContentType } from './fetch-event-source.js';
export { SseError } from './errors.js';

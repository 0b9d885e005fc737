// wasm-sse: the public JavaScript API. Types and documentation: index.d.ts.
export { init } from './init.js';
export { Parser, createParser, parseEventStream } from './parser.js';

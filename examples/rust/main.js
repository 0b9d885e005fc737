// The page's only script: load the wasm app, whose start function wires the page.
import init from './pkg/app.js';

await init();

// `npm start`: bootstrap what the build needs, build pkg/, and serve the demo on 127.0.0.1.
//   PORT=8080 npm start    choose the port (default 8787; 0 picks a free one)
import { bootstrap } from './bootstrap.mjs';
import { build } from './build.mjs';
import { SCENARIOS, startServer } from './sse-server.mjs';

try {
  bootstrap({ needBrowser: false });
  build();
} catch (e) {
  console.error(e.message ?? e);
  process.exit(1);
}

const port = process.env.PORT === undefined ? 8787 : Number(process.env.PORT);
const server = await startServer({ port }).catch((e) => {
  console.error(`start: cannot listen on 127.0.0.1:${port}: ${e.message} (set PORT to choose another)`);
  process.exit(1);
});

const routes = [
  ['/', 'the demo page: parses a live stream with the built package'],
  ['/sse/ticker', 'a live event stream (ids, named events, heartbeats, retry)'],
  ...Object.keys(SCENARIOS).map((name) => [`/sse/${name}`, 'a scenario cut into awkward chunks']),
];
const width = Math.max(...routes.map(([path]) => (server.url + path).length));
console.log(`\nwasm-sse demo: ${server.url}/`);
for (const [path, what] of routes) console.log(`  ${(server.url + path).padEnd(width)}  ${what}`);
console.log('Ctrl-C stops it.');

const stop = async () => {
  await server.close();
  console.log('\nstopped');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

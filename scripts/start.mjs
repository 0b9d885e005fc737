// `npm start`: bootstrap what the build needs, build pkg/ and the examples, and serve the
// demo on 127.0.0.1.
//   PORT=8080 npm start          choose the port (default 8787; 0 picks a free one)
//   npm start -- --no-build      serve what is already built
import { bootstrap } from './bootstrap.mjs';
import { build } from './build.mjs';
import { EXAMPLES, buildExamples } from './examples.mjs';
import { DEMO_TOKEN } from './demo-routes.mjs';
import { ENDPOINTS } from './landing.mjs';
import { startServer } from './sse-server.mjs';

try {
  if (!process.argv.includes('--no-build')) {
    bootstrap({ needBrowser: false });
    build();
    buildExamples();
  }
} catch (e) {
  console.error(e.message ?? e);
  process.exit(1);
}

const port = process.env.PORT === undefined ? 8787 : Number(process.env.PORT);
const server = await startServer({ port }).catch((e) => {
  console.error(`start: cannot listen on 127.0.0.1:${port}: ${e.message} (set PORT to choose another)`);
  process.exit(1);
});

const pages = Object.entries(EXAMPLES).filter(([, e]) => e.kind !== 'node');
const rows = [
  ['/', 'every example and endpoint, linked'],
  ...pages.map(([name, e]) => [`/examples/${name}/`, `${e.title}: ${e.what}`]),
];
const width = Math.max(...rows.map(([path]) => (server.url + path).length));
console.log(`\nwasm-sse demo: ${server.url}/\n`);
for (const [path, what] of rows) console.log(`  ${(server.url + path).padEnd(width)}  ${what}`);
console.log('\nEndpoints:');
for (const [route, what] of ENDPOINTS) console.log(`  ${route.padEnd(26)}  ${what}`);
console.log(`\nNode: cd examples/node && CHAT_URL=${server.url}/v1/chat/completions node chat.mjs "your question"`);
console.log(`The chat token is "${DEMO_TOKEN}". Ctrl-C stops the server.`);

const stop = async () => {
  await server.close();
  console.log('\nstopped');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

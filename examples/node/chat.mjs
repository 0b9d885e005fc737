// Streams a chat answer to stdout in Node 20+, with the same package as in the browser:
// Node resolves 'wasm-sse' to the package's Node entry, which reads the .wasm from disk.
//
//   npm start                                  (in the repository root: the demo server)
//   cd examples/node && npm install && node chat.mjs "What is SSE?"
//
// CHAT_URL and CHAT_TOKEN point it at another OpenAI-compatible endpoint.
import { EventSource } from 'wasm-sse';

const endpoint = process.env.CHAT_URL ?? 'http://127.0.0.1:8787/v1/chat/completions';
const question = process.argv.slice(2).join(' ') || 'What are server-sent events?';

const source = new EventSource(endpoint, {
  json: { model: 'wasm-sse-demo', stream: true, messages: [{ role: 'user', content: question }] },
  headers: { Authorization: `Bearer ${process.env.CHAT_TOKEN ?? 'demo-token'}` },
  retry: { maxAttempts: 3 },
});
source.onerror = (event) => {
  if (event.willRetry) console.error(`\n[connection lost: reconnecting in ${event.retryIn} ms]`);
};

/** The server's own words from an OpenAI-style JSON error body, when there is one. */
function explain(error) {
  try {
    return `${error.message}: ${JSON.parse(error.body).error.message}`;
  } catch {
    return error.message;
  }
}

try {
  for await (const event of source) {
    if (event.data === '[DONE]') break; // leaving the loop closes the source
    process.stdout.write(JSON.parse(event.data).choices[0]?.delta?.content ?? '');
  }
  process.stdout.write('\n');
} catch (error) {
  console.error(`error: ${explain(error)}`);
  process.exitCode = 1;
}

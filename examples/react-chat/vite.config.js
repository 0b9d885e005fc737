import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// No wasm plugin: Vite bundles wasm-sse's `new URL('./wasm_sse_bg.wasm', import.meta.url)`
// as an asset by itself. `base: './'` lets the built app live under any path.
export default defineConfig({
  base: './',
  plugins: [react()],
  // `npm run dev` only: send the chat requests to the demo server (`npm start` in the
  // repository), and let the dev server read wasm-sse from ../../pkg, where the `file:`
  // dependency points (an installed package lives in node_modules and needs no such line).
  server: {
    proxy: { '/v1': 'http://127.0.0.1:8787' },
    fs: { allow: ['.', '../../pkg'] },
  },
});

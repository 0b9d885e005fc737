import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  // Relative asset URLs, so the built app works from any path (the demo server mounts it
  // at /examples/vue-chat/).
  base: './',
  // Dev server only. `/v1` goes to a running `npm start` server. The package is a `file:`
  // link to ../../pkg, outside this folder, so the dev server must be allowed to serve its
  // .wasm from there (not needed when wasm-sse is installed from the registry).
  server: {
    proxy: { '/v1': 'http://127.0.0.1:8787' },
    fs: { allow: ['.', '../../pkg'] },
  },
});

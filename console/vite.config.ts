// The console is built to console/dist and served by posfleetd at /; it talks
// only to /api on the same origin. `npm run dev` proxies /api to a local posfleetd.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});

// The console is built to console/dist and served by posfleetd at /; it talks
// only to /api on the same origin. `npm run dev` proxies /api to a local posfleetd.
// `npm test` runs the component tests (Vitest, jsdom): src/**/*.test.tsx.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // Ant Design and React Router mark modules "use client" for server rendering, which the console does not use.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  // ../server, ../core: tests read the server's sources for its stable codes (src/common/serverWords.test.ts).
  server: { proxy: { '/api': 'http://127.0.0.1:8080' }, fs: { allow: ['.', '../server', '../core'] } },
  test: {
    environment: 'jsdom',
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    testTimeout: 20000,
  },
});

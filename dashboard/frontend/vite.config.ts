import { defineConfig } from 'vitest/config';

// the bundle is served by the sidecar from the jar; relative asset paths keep it independent of the mount point
export default defineConfig({
  base: './',
  build: { target: 'es2022', sourcemap: false },
  test: { environment: 'node', include: ['src/**/*.test.ts'] },
});

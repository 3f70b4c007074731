import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * One build for every shell. The main bundle has several entries because the same engine runs as the Electron
 * main process, the `sluice` CLI (plain Node) and the ingest worker thread; none of them may pull in `electron`
 * except the Electron entry (the lint layering rule guarantees it).
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          cli: resolve('src-main/cli/main.ts'),
          electron: resolve('src-main/electron/main.ts'),
          'engine-host': resolve('src-main/electron/engine-host.ts'),
          'ingest-worker': resolve('src-main/core/ingest/worker.ts'),
          'parse-worker': resolve('src-main/core/ingest/parse-worker.ts'),
        },
        // Chunks sit beside the entries so `new URL('./ingest-worker.js', import.meta.url)` resolves from any of them.
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    plugins: [svelte()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve('src-renderer/index.html') },
    },
  },
});

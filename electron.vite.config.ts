// Builds the three parts of the desktop app: main (Node, ESM), preload (sandboxed: one CommonJS file), renderer (Vue).
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/app/index.ts'),
          // Job processes: forked by the JobRunner with Electron's Node (ELECTRON_RUN_AS_NODE).
          worker: resolve(__dirname, 'src/main/jobs/worker.ts'),
          // A job process's data-parallel search threads (worker_threads), found beside worker.js.
          'peer-thread': resolve(__dirname, 'src/main/jobs/peers/peer-thread.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot load modules: bundle everything into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      minify: true,
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});

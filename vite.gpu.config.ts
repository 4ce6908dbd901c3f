// Builds the engine bundle for the Chromium job host (out/gpu): a page that starts the engine in a Dedicated Worker.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

/** tfjs-backend-wasm loads its .wasm binaries at run time: ship them beside the bundle (out/gpu/wasm/). */
function wasmBinaries(): Plugin {
  const dist = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  return {
    name: 'nasw-tfjs-wasm-binaries',
    generateBundle() {
      for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
        this.emitFile({ type: 'asset', fileName: `wasm/${name}`, source: fs.readFileSync(path.join(dist, 'dist', name)) });
      }
    },
  };
}

/**
 * out/gpu/build.json: a hash of the built files. The job host keeps self-test passes per engine build,
 * and a checkout rebuilds when a source is newer than this file.
 */
function buildStamp(): Plugin {
  let outDir = '';
  return {
    name: 'nasw-build-stamp',
    configResolved(c) {
      outDir = c.build.outDir;
    },
    closeBundle() {
      const h = createHash('sha256');
      const walk = (d: string) => {
        for (const name of fs.readdirSync(d).sort()) {
          const full = path.join(d, name);
          if (fs.statSync(full).isDirectory()) walk(full);
          else if (name !== 'build.json') h.update(name).update(fs.readFileSync(full));
        }
      };
      walk(outDir);
      fs.writeFileSync(path.join(outDir, 'build.json'), JSON.stringify({ stamp: h.digest('hex').slice(0, 16), builtAt: new Date().toISOString() }) + '\n');
    },
  };
}

export default defineConfig({
  root: path.join(root, 'src/main/gpu'),
  base: './',
  logLevel: 'warn',
  plugins: [wasmBinaries(), buildStamp()],
  build: {
    outDir: path.join(root, 'out/gpu'),
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    sourcemap: false,
    chunkSizeWarningLimit: 8000,
    rollupOptions: { input: { index: path.join(root, 'src/main/gpu/index.html') } },
  },
  worker: { format: 'es' },
});

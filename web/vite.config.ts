/**
 * The browser playground (web/): `npm run web` serves it with hot reload, `npm run build:web`
 * writes a static site to web/dist/. The library comes from the compiled package (dist/src,
 * built by `npm run build`), imported as 'tsgrad/browser'.
 *
 * Its WebAssembly kernels (build/kernels*.wasm) are read by the library at
 * `new URL(`../../../../build/${file}`, import.meta.url)`; Vite turns that template into a
 * lookup of every file in build/, emitted as hashed assets, so the static site carries them.
 *
 * The kernels run on several threads only on a cross-origin-isolated page: the dev server and
 * `vite preview` send the two headers below. `npm run web -- --mode single-thread` leaves them
 * out, to see the page as a host without them serves it (one kernel thread).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** What a host must send with every file of the site for multi-threaded kernels. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig(({ mode }) => {
  const headers = mode === 'single-thread' ? {} : ISOLATION_HEADERS;
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    // Relative URLs: the site works from any directory of a static host.
    base: './',
    resolve: {
      alias: {
        'tsgrad/browser': `${repo}dist/src/browser.js`,
      },
    },
    server: { headers, fs: { allow: [repo] } },
    preview: { headers },
    worker: {
      // Module workers: the training worker awaits tg.ready() at its top level.
      format: 'es',
      // Graphviz's chunk would be called after its file, dist/index.js.
      rollupOptions: {
        output: {
          chunkFileNames: (c) => `assets/${c.moduleIds.some((id) => id.includes('wasm-graphviz')) ? 'graphviz' : '[name]'}-[hash].js`,
        },
      },
    },
    build: {
      target: 'es2022',
      outDir: 'dist',
      emptyOutDir: true,
      // Graphviz (for the computational graph) is one 800 kB module, loaded only when asked for.
      chunkSizeWarningLimit: 1200,
    },
  };
});

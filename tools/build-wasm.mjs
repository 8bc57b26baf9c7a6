// Compiles the AssemblyScript kernels in assembly/ into build/kernels.wasm with the
// `assemblyscript` devDependency (no downloads). SIMD and threads are on: the module
// imports one shared memory (env.memory) that the main thread and every worker see.
// Three builds of the same sources, see below; the loader picks one.
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'build'), { recursive: true });

// Must agree with MAX_PAGES in src/kernels/wasm/memory.ts (64 KiB pages: 2 GiB).
const MAX_PAGES = 32768;

/** Compiles assembly/index.ts into build/<name>.wasm with the given feature list. */
async function build(name, features, shared = true) {
  const { error, stderr } = await asc.main([
    join(root, 'assembly/index.ts'),
    '--outFile', join(root, `build/${name}.wasm`),
    '-O3', '--noAssert', '--converge',
    '--runtime', 'stub',
    '--enable', features,
    '--importMemory', ...(shared ? ['--sharedMemory'] : []),
    '--initialMemory', '64', '--maximumMemory', String(MAX_PAGES),
    // Kernels never allocate; abort only exists for bounds checks, which --noAssert removes.
    '--use', 'abort=',
  ]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: asc failed on build/${name}.wasm: ${error.message}`);
    process.exit(1);
  }
  console.log(`build-wasm: wrote build/${name}.wasm`);
}

// The portable build, and one whose gemm uses relaxed SIMD's fused multiply-add
// (about 30% faster here); the loader takes the second where the engine accepts it.
await build('kernels', 'simd,threads');
await build('kernels-fma', 'simd,threads,relaxed-simd');
// Browsers give shared memory only to cross-origin-isolated pages; elsewhere one thread
// runs this build on an ordinary memory.
await build('kernels-single', 'simd', false);

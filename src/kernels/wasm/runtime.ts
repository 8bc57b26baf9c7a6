/**
 * The WebAssembly runtime: one compiled module, one shared memory, a bump arena in it,
 * and a pool of threads that share both. Everything here is synchronous: the module is
 * compiled from bytes read with readFileSync, workers are started without awaiting, and
 * a job is dispatched by Atomics (the calling thread takes tasks too, then waits).
 */
import { nodeBuiltin } from '../../util/optional.js';
import { keepFreedMemory } from './keep-freed-memory.js';
import { WORKER_SOURCE } from './worker-source.js';

/** Must agree with MAX_PAGES in tools/build-wasm.mjs (64 KiB pages: 2 GiB). */
const MAX_PAGES = 32768;
const PAGE = 65536;

// Layout of the control words at the start of the heap, by word index (see worker-source.ts).
const CONTROL_WORDS = { GEN: 0, CTR: 1, DONE: 2, FN: 3, ARGS: 4, NTASKS: 5, ERR: 6, NTHREADS: 8, WORKED: 9, STARTED: 10 } as const;
const { GEN, CTR, DONE, FN, ARGS, NTASKS, ERR, NTHREADS, WORKED, STARTED } = CONTROL_WORDS;
const CTRL_BYTES = 64;
/** At most this much of the heap holds persistent blocks (parameters, optimiser state); beyond, they stay in JS. */
const MAX_PERSISTENT = 512 * 2 ** 20;
/**
 * At most this much of the heap is taken by new persistent blocks within one turn of the event
 * loop; beyond, they stay in JS (see persistentF32). 128 MiB holds a 10M-parameter model with
 * Adam's two moments, built and trained in the same synchronous run.
 */
const MAX_PERSISTENT_PER_TURN = 128 * 2 ** 20;
const ARGS_WORDS = 64;

/** A parallel kernel: (args, task, nTasks, worker). */
type TaskFn = (args: number, task: number, nTasks: number, worker: number) => void;

interface NodeLike {
  fs: typeof import('node:fs');
  os: typeof import('node:os');
  url: typeof import('node:url');
  wt: typeof import('node:worker_threads');
  v8: typeof import('node:v8');
}

function nodeModules(): NodeLike | null {
  const fs = nodeBuiltin<NodeLike['fs']>('node:fs');
  if (!fs) return null;
  return {
    fs,
    os: nodeBuiltin<NodeLike['os']>('node:os')!,
    url: nodeBuiltin<NodeLike['url']>('node:url')!,
    wt: nodeBuiltin<NodeLike['wt']>('node:worker_threads')!,
    v8: nodeBuiltin<NodeLike['v8']>('node:v8')!,
  };
}

/** Reads build/<file>: beside the sources (tsx) or beside dist/ (tsc output); null if absent. */
function readBuild(node: NodeLike | null, file: string): Uint8Array<ArrayBuffer> | null {
  if (node) {
    for (const rel of [`../../../build/${file}`, `../../../../build/${file}`]) {
      const path = node.url.fileURLToPath(new URL(rel, import.meta.url));
      if (node.fs.existsSync(path)) return node.fs.readFileSync(path) as Uint8Array<ArrayBuffer>;
    }
    return null;
  }
  // Browser: a synchronous request, allowed with an ArrayBuffer response only inside a Web
  // Worker (where a long training must run anyway, to keep the page responsive); a document refuses it.
  if ((globalThis as { document?: unknown }).document !== undefined) {
    throw new Error(
      `wasm backend: loading build/${file} needs a synchronous request, which browsers allow only in a Web Worker; ` +
        "run tsgrad in a Worker to use wasm (on a page's main thread it runs on the 'ref' backend)",
    );
  }
  const url = new URL(`../../../../build/${file}`, import.meta.url).href;
  const xhr = new XMLHttpRequest();
  xhr.open('GET', url, false);
  xhr.responseType = 'arraybuffer';
  xhr.send();
  return xhr.status === 200 || (xhr.status === 0 && xhr.response) ? new Uint8Array(xhr.response as ArrayBuffer) : null;
}

/**
 * Compiles the fastest module the engine accepts: kernels-fma.wasm (relaxed SIMD's fused
 * multiply-add) or the portable kernels.wasm. Node 20's V8 11.3 has relaxed SIMD behind
 * --experimental-wasm-relaxed-simd (Node 22 and Chrome 114 ship it), so in Node the flag is
 * switched on before compiling; the module is validated first, never assumed.
 */
function compileKernels(node: NodeLike | null, shared: boolean): { module: WebAssembly.Module; fma: boolean } {
  if (!shared) {
    const single = readBuild(node, 'kernels-single.wasm');
    if (!single) throw new Error("wasm backend: build/kernels-single.wasm not found; run 'npm run build:wasm'");
    return { module: new WebAssembly.Module(single), fma: false };
  }
  const fma = readBuild(node, 'kernels-fma.wasm');
  if (fma) {
    if (!WebAssembly.validate(fma) && node) node.v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (WebAssembly.validate(fma)) return { module: new WebAssembly.Module(fma), fma: true };
  }
  const plain = readBuild(node, 'kernels.wasm');
  if (!plain) throw new Error("wasm backend: build/kernels.wasm not found beside the sources or dist/; run 'npm run build:wasm'");
  return { module: new WebAssembly.Module(plain), fma: false };
}

/** Shared memory exists in Node and, in browsers, only on cross-origin-isolated pages. */
function canShare(node: NodeLike | null): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  return g.SharedArrayBuffer !== undefined && (node !== null || g.crossOriginIsolated === true);
}

interface Thread {
  terminate(): void;
}

/**
 * The loaded module with its memory, arena and threads; created once, by getRuntime in
 * binding.ts. The memory grows to the largest call seen and is reused from then on.
 */
export class Runtime {
  readonly exports: Record<string, unknown>;
  private readonly memory: WebAssembly.Memory;
  private readonly module: WebAssembly.Module;
  /** Whether the fused multiply-add build loaded. */
  readonly fma: boolean;
  /** Whether the memory is shared; without it there is one thread. */
  private readonly shared: boolean;
  private readonly node: NodeLike | null;
  private ctrlView: Int32Array;
  private readonly ctrlOffset: number;
  private readonly argsOffset: number;
  /** Start of the per-call arena; persistent blocks (persistentF32) lie below it. */
  private arenaBase: number;
  private readonly names: string[];
  private readonly fns: TaskFn[];
  private threads: Thread[] = [];
  private nThreads = 1;
  private gen = 0;
  private top: number;
  private f32view: Float32Array;
  private i32view: Int32Array;
  /** Milliseconds and bytes spent copying operands in and results out (see wasmStats). */
  copyMs = 0;
  copyBytes = 0;
  /** The part of copyMs spent copying results out (first touches of fresh JS arrays included). */
  copyOutMs = 0;
  /** Whether the calling thread may block in Atomics.wait (not on a browser's main thread). */
  private readonly canWait: boolean;

  constructor(names: string[]) {
    this.node = nodeModules();
    // Fresh tensor arrays cost page faults where glibc trims its heap (keep-freed-memory.ts).
    if (this.node?.os.platform() === 'linux') keepFreedMemory();
    this.shared = canShare(this.node);
    const compiled = compileKernels(this.node, this.shared);
    this.module = compiled.module;
    this.fma = compiled.fma;
    this.memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: this.shared });
    const inst = new WebAssembly.Instance(this.module, { env: { memory: this.memory } });
    this.exports = inst.exports as Record<string, unknown>;
    this.names = names;
    this.fns = names.map((n) => {
      const f = this.exports[n];
      if (typeof f === 'function') return f as TaskFn;
      return () => {
        throw new Error(`wasm backend: build/kernels.wasm lacks export '${n}' (stale build? run 'npm run build:wasm')`);
      };
    });
    const base = align((this.exports.heapBase as () => number)(), 64);
    this.ctrlOffset = base;
    this.argsOffset = base + CTRL_BYTES;
    this.arenaBase = align(this.argsOffset + ARGS_WORDS * 4, 64);
    this.top = this.arenaBase;
    this.ctrlView = new Int32Array(this.memory.buffer, this.ctrlOffset, 16);
    this.f32view = new Float32Array(this.memory.buffer);
    this.i32view = new Int32Array(this.memory.buffer);
    const g = globalThis as { window?: unknown };
    this.canWait = this.node !== null || g.window === undefined;
    this.setThreads(defaultThreads(this.node));
  }

  /** Tasks run by worker threads so far (the calling thread's are not counted). */
  get workerTasks(): number {
    return Atomics.load(this.ctrl, WORKED);
  }

  /** Bytes of the heap taken by persistent blocks, and how many of them are free for reuse. */
  get persistentBlocks(): { bytes: number; free: number } {
    return { bytes: this.persistentBytes, free: this.freeBlocks.length };
  }

  /** Kernel threads that have started (instantiated the module) and wait for jobs. */
  get startedThreads(): number {
    return Atomics.load(this.ctrl, STARTED);
  }

  /** The browser's Blob URL of the thread source, until every thread has started. */
  private workerUrl: string | null = null;

  /** Revokes the thread source's Blob URL once every spawned thread has started (ready() calls it). */
  releaseWorkerUrl(): void {
    if (this.workerUrl && this.startedThreads >= this.spawnedThreads) {
      URL.revokeObjectURL(this.workerUrl);
      this.workerUrl = null;
    }
  }

  /** Kernel threads spawned so far (the calling thread not included). */
  get spawnedThreads(): number {
    return this.threads.length;
  }

  get threadCount(): number {
    return this.nThreads;
  }

  /**
   * The control words. An unshared memory (the single-thread build) detaches its buffer
   * when it grows, so the view is recreated then (the browser test caught the old view
   * failing after a grow); a shared memory's old view stays valid.
   */
  private get ctrl(): Int32Array {
    if (this.ctrlView.buffer.byteLength !== this.memory.buffer.byteLength)
      this.ctrlView = new Int32Array(this.memory.buffer, this.ctrlOffset, 16);
    return this.ctrlView;
  }

  /** Float32 view of the whole heap (recreated after the memory grows). */
  get f32(): Float32Array {
    if (this.f32view.buffer.byteLength !== this.memory.buffer.byteLength) this.refreshViews();
    return this.f32view;
  }

  get i32(): Int32Array {
    if (this.i32view.buffer.byteLength !== this.memory.buffer.byteLength) this.refreshViews();
    return this.i32view;
  }

  private refreshViews(): void {
    this.f32view = new Float32Array(this.memory.buffer);
    this.i32view = new Int32Array(this.memory.buffer);
  }

  /** Every buffer object the memory has had (it is a new one after each growth); freed blocks for reuse. */
  private readonly heapBuffers = new WeakSet<ArrayBufferLike>();
  private readonly freeBlocks: { addr: number; bytes: number }[] = [];
  private persistentBytes = 0;
  /** Bytes of new persistent blocks since the event loop last turned (reset by a timer). */
  private persistentThisTurn = 0;
  private readonly registry = new FinalizationRegistry<{ addr: number; bytes: number }>((b) => this.freeBlocks.push(b));

  /**
   * A zeroed float32 array of n elements that lives in the heap across calls, for data that
   * kernels read or update every step (parameters, Adam's moments): copyIn and copyOut find it
   * there and copy nothing. Only on a shared memory, whose views survive growth; null
   * otherwise. A block whose array has been collected is reused for the next request of its
   * size. Call it between kernel calls, never inside one.
   *
   * The memory rule: the heap never shrinks, and a block comes back only through the
   * FinalizationRegistry, whose callbacks run when the event loop turns, never inside a
   * synchronous loop. So new blocks are bounded twice: MAX_PERSISTENT in all, and
   * MAX_PERSISTENT_PER_TURN within one turn of the event loop. Past either, null: the caller
   * makes a plain Float32Array, which the garbage collector frees synchronously, and kernels copy
   * it in and out (slower, still correct). A model built at start-up gets heap memory; a
   * synchronous loop that builds model after model stays bounded.
   */
  persistentF32(n: number): Float32Array | null {
    return this.persistent(n, Float32Array, true);
  }

  /**
   * A heap block as an n-element view, zeroed or not; null past the limits above or on an
   * unshared memory. Unzeroed, it also serves what an op keeps from its forward pass for its
   * backward pass (a max pool's argmax, a copy of its input): written by one kernel, read by
   * another, never copied. Such a block is handed back with release() once the backward pass
   * has run, so that a training loop reuses the same blocks step after step; should it never be
   * (a forward pass whose graph is dropped), the garbage collector hands it back as above.
   */
  persistent<T extends Float32Array | Int32Array>(
    n: number,
    Ctor: new (b: ArrayBufferLike, at: number, n: number) => T,
    zero: boolean,
  ): T | null {
    if (!this.shared || n <= 0) return null;
    const bytes = align(n * 4, 64);
    let addr: number;
    const free = this.freeBlocks.findIndex((b) => b.bytes === bytes);
    if (free >= 0) {
      addr = this.freeBlocks[free].addr;
      this.freeBlocks.splice(free, 1);
    } else {
      if (this.persistentBytes + bytes > MAX_PERSISTENT) return null;
      if (this.persistentThisTurn + bytes > MAX_PERSISTENT_PER_TURN) return null;
      if (this.persistentThisTurn === 0) {
        // Runs once the event loop turns; unref'd, it keeps no script alive.
        const timer = setTimeout(() => (this.persistentThisTurn = 0), 0) as { unref?: () => void };
        timer.unref?.();
      }
      this.persistentThisTurn += bytes;
      addr = this.arenaBase;
      this.arenaBase = addr + bytes;
      this.persistentBytes += bytes;
      // An empty arena at the new base: alloc(0) grows the memory to cover the block.
      this.reset();
      this.alloc(0);
    }
    const buffer = this.memory.buffer;
    this.heapBuffers.add(buffer);
    const view = new Ctor(buffer, addr, n);
    if (zero) view.fill(0);
    // The view is its own unregister token: release() takes the block back early.
    this.registry.register(view, { addr, bytes }, view);
    return view;
  }

  /**
   * Hands a persistent (or persistentF32) array's block back for reuse now, rather than
   * when the array is collected. The array must not be used afterwards. Anything else: a no-op.
   */
  release(a: Float32Array | Int32Array): void {
    const addr = this.addressOf(a);
    // unregister() is false for a view that is not a block's own array, or one released before.
    if (addr === undefined || !this.registry.unregister(a)) return;
    this.freeBlocks.push({ addr, bytes: align(a.length * 4, 64) });
  }

  /** Where a kernel should write an output destined for dst: dst itself when it lies in the heap (copyOut then copies nothing), else a fresh arena block. */
  outputAddress(dst: Float32Array | Int32Array): number {
    return this.addressOf(dst) ?? this.alloc(dst.length * 4);
  }

  /**
   * The heap address of an array that lies in the wasm memory (a persistentF32 array or a
   * view of one; nothing else there is ever handed out), else undefined.
   */
  addressOf(a: Float32Array | Int32Array): number | undefined {
    return this.heapBuffers.has(a.buffer) ? a.byteOffset : undefined;
  }

  /** Frees the whole arena; every kernel call starts with it. */
  reset(): void {
    this.top = this.arenaBase;
  }

  /** Reserves `bytes` (64-byte aligned) in the arena, growing the memory when needed. */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = align(p + bytes, 64);
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      const pages = Math.ceil((this.top - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) {
        throw new Error(`wasm backend: a kernel needs ${this.top} bytes of heap, more than the ${MAX_PAGES * PAGE} allowed`);
      }
      this.memory.grow(pages);
    }
    return p;
  }

  /** Copies a float32 (or int32) array into a fresh arena block (unless it lies in the heap already); returns its byte address. */
  copyIn(src: Float32Array | Int32Array, n = src.length): number {
    // Already in the heap (a parameter, an optimiser moment): used where it is.
    const at = this.addressOf(src);
    if (at !== undefined) return at;
    const p = this.alloc(n * 4);
    const t0 = performance.now();
    if (src instanceof Int32Array) this.i32.set(n === src.length ? src : src.subarray(0, n), p >> 2);
    else this.f32.set(n === src.length ? src : src.subarray(0, n), p >> 2);
    this.copyMs += performance.now() - t0;
    this.copyBytes += n * 4;
    return p;
  }

  /** copyIn into a fresh arena block even when src lies in the heap: for a kernel that writes into its copy. */
  copyInPrivate(src: Float32Array): number {
    const at = this.addressOf(src);
    if (at === undefined) return this.copyIn(src);
    const p = this.alloc(src.length * 4);
    const t0 = performance.now();
    this.f32.copyWithin(p >> 2, at >> 2, (at >> 2) + src.length);
    this.copyMs += performance.now() - t0;
    this.copyBytes += src.length * 4;
    return p;
  }

  /** Copies n float32 (or int32, by dst's type) values at byte address p out into dst. */
  copyOut(p: number, dst: Float32Array | Int32Array, n = dst.length): void {
    // A kernel that updated a heap-resident array in place (Adam) has nothing to copy.
    if (this.addressOf(dst) === p) return;
    const t0 = performance.now();
    if (dst instanceof Int32Array) dst.set(this.i32.subarray(p >> 2, (p >> 2) + n));
    else dst.set(this.f32.subarray(p >> 2, (p >> 2) + n));
    const dt = performance.now() - t0;
    this.copyMs += dt;
    this.copyOutMs += dt;
    this.copyBytes += n * 4;
  }

  /** Writes the i32 parameter words of the next job; returns their address. */
  args(words: number[]): number {
    if (words.length > ARGS_WORDS) throw new Error(`wasm backend: ${words.length} argument words, at most ${ARGS_WORDS}`);
    this.i32.set(words, this.argsOffset >> 2);
    return this.argsOffset;
  }

  /**
   * Runs tasks 0..nTasks-1 of kernel `fn` over all threads and returns when all are done.
   * Tasks are claimed dynamically, so a thread that wakes late simply takes fewer.
   */
  run(fn: number, argsPtr: number, nTasks: number): void {
    const f = this.fns[fn];
    if (nTasks <= 1 || this.threads.length === 0 || this.nThreads === 1) {
      for (let t = 0; t < nTasks; t++) f(argsPtr, t, nTasks, 0);
      return;
    }
    const c = this.ctrl;
    this.gen = (this.gen + 1) | 0;
    if (this.gen === 0) this.gen = 1;
    c[FN] = fn;
    c[ARGS] = argsPtr;
    c[NTASKS] = nTasks;
    c[DONE] = 0;
    c[ERR] = 0;
    Atomics.store(c, CTR, (this.gen & 0x7ff) << 20);
    Atomics.store(c, GEN, this.gen);
    Atomics.notify(c, GEN);
    // The calling thread takes its share like any worker. Should a task trap, the job still
    // runs to its end before the error is thrown: no worker may be writing into a heap
    // that the next call reuses.
    const tag = this.gen & 0x7ff;
    let error: unknown = null;
    for (;;) {
      const v = Atomics.load(c, CTR);
      const t = v & 0xfffff;
      if (v >>> 20 !== tag || t >= nTasks) break;
      if (Atomics.compareExchange(c, CTR, v, v + 1) !== v) continue;
      try {
        f(argsPtr, t, nTasks, 0);
      } catch (e) {
        error = e;
      }
      Atomics.add(c, DONE, 1);
    }
    for (let spin = 0; ; spin++) {
      const d = Atomics.load(c, DONE);
      if (d >= nTasks) break;
      if (this.canWait && spin > 2000) Atomics.wait(c, DONE, d, 50);
    }
    if (error) throw error;
    if (c[ERR] !== 0) throw new Error(`wasm backend: kernel '${this.names[fn]}' trapped in a worker thread`);
  }

  /** Sets the number of threads (the calling one included), starting workers as needed. */
  setThreads(n: number): void {
    const want = Math.max(1, Math.floor(n));
    while (this.threads.length < want - 1) {
      const t = this.spawn(this.threads.length + 1);
      if (!t) break;
      this.threads.push(t);
    }
    this.nThreads = Math.min(want, this.threads.length + 1);
    Atomics.store(this.ctrl, NTHREADS, this.nThreads);
  }

  private spawn(id: number): Thread | null {
    if (!this.shared) return null;
    const init = { module: this.module, memory: this.memory, ctrlOffset: this.ctrlOffset, names: this.names, id };
    if (this.node) {
      const w = new this.node.wt.Worker(WORKER_SOURCE, { eval: true, workerData: init });
      // Idle kernel threads must not keep a script alive.
      w.unref();
      return w;
    }
    // Browser: threads share memory only when the page is cross-origin isolated.
    const g = globalThis as { crossOriginIsolated?: boolean; Worker?: typeof Worker };
    if (!g.crossOriginIsolated || !g.Worker) return null;
    // One Blob URL serves every thread; releaseWorkerUrl() revokes it once they have started.
    this.workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const w = new g.Worker(this.workerUrl);
    w.postMessage(init);
    return w;
  }
}

function defaultThreads(node: NodeLike | null): number {
  if (node) return node.os.availableParallelism?.() ?? node.os.cpus().length;
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return g.crossOriginIsolated ? (g.navigator?.hardwareConcurrency ?? 1) : 1;
}

function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

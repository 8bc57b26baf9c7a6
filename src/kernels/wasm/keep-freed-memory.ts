/**
 * Makes glibc keep freed tensor memory for reuse instead of handing it back to the system.
 *
 * glibc's malloc returns the free top of its heap to the system whenever more than its
 * trim threshold lies there: 128 KB at first, twice the largest mmap'd chunk freed so far
 * after that. Tensor storage comes in large arrays that live for one step and die together
 * at a garbage collection, so the heap top was trimmed after nearly every collection and a
 * fresh output array was fresh memory: its first write took a page fault for every 4 KB.
 * On the 2-core VM of BENCHMARKS.md that cost 2 ms of a 21 ms sgemm at n = 1024 (1,024
 * faults for the 4 MB product), and the other kernel thread stalled while it lasted, so
 * overlapping the copy-out with the arithmetic did not hide it.
 *
 * glibc follows the size of freed mmap'd chunks up to 32 MiB (its dynamic threshold). Freeing
 * one chunk just under that size, once, raises the mmap threshold to about 32 MiB and the
 * trim threshold to about 64 MiB for the life of the process: up to 64 MiB of freed arrays
 * stay mapped and are reused, and a reused array costs calloc's clearing (0.2 ms for 4 MB)
 * instead of the faults. The chunk is freed when V8 collects this array, at the next
 * collection. On other C libraries this is one short-lived 32 MiB array and nothing more.
 */
export function keepFreedMemory(): void {
  // Under 32 MiB with malloc's header and page rounding; big enough to be mmap'd.
  const chunk = new Float32Array(((32 << 20) - (64 << 10)) / 4);
  chunk[0] = 1;
}

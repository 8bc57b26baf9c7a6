/**
 * The V8 heap setting the tsgrad command runs under (bin.ts starts Node with it).
 *
 * A training step allocates its tensors as typed arrays (about 6 MB a step for the fast
 * MNIST recipe), and their external bytes make V8 scavenge in the middle of a step, which
 * promotes the step's live graph (tensors, nodes, closures) to the old generation, where it
 * dies. With the default sizing of a small heap V8 then runs a mark-compact every four or five
 * steps; with the old generation's initial limit at 64 MB it runs a few in an epoch.
 * BENCHMARKS.md has the measurements (garbage collection per step and the step's time).
 * A process cannot change this once started, hence a flag at start-up.
 */
export const HEAP_FLAGS: readonly string[] = ['--initial-old-space-size=64'];

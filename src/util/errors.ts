/**
 * The one error class tsgrad throws for bad input: the message names the op, the shapes or the file.
 * Catch it to tell a caller's mistake from a bug (anything else that is thrown).
 * @example
 * try {
 *   tensor([1, 2]).reshape([3]);
 * } catch (e) {
 *   if (e instanceof TsgradError) console.log(e.message); // reshape: cannot reshape 2 elements into shape [3] (3 elements)
 * }
 */
export class TsgradError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TsgradError';
  }
}

/** Formats a shape the way error messages print it: `[8,3,28,28]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Throws a TsgradError prefixed with the op name unless `ok` holds. */
export function check(ok: boolean, op: string, message: () => string): asserts ok {
  if (!ok) throw new TsgradError(`${op}: ${message()}`);
}

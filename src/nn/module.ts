// Tensor methods (x.add(y), ...) must be attached wherever modules run, even when only nn is imported.
import '../ops/methods.js';
import { noGrad } from '../autograd/engine.js';
import { castRaw } from '../tensor/raw.js';
import { isParameter, markParameter } from '../tensor/param.js';
import { Tensor, bumpVersion, denseArray } from '../tensor/tensor.js';
import { arg, is } from '../util/args.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { entryOf, layerName } from './registry.js';
import { summary, type SummaryOptions, type SummaryResult } from './summary.js';

/**
 * Base class of layers and models. Parameters are plain fields holding tensors
 * with `requiresGrad: true`; other tensor fields are buffers (batch-norm running
 * statistics); Module fields and arrays of Modules are children. Walking the
 * fields gives the dotted names (`0.weight` for a Sequential, `features.0.weight`, as in PyTorch) used by stateDict and save.
 *
 * @example
 * class Affine extends Module {
 *   weight = randn([3, 2], { requiresGrad: true });
 *   forward(x: Tensor) { return x.matmul(this.weight); }
 * }
 */
export abstract class Module {
  /** Training mode (dropout active, batch norm uses batch statistics); set by train()/eval(). */
  training = true;

  abstract forward(...inputs: Tensor[]): Tensor;

  /**
   * Child modules with their names: field names (array entries by index, `blocks.0`), and for a
   * Sequential '0', '1', ..., as PyTorch names them, so that state-dict keys match PyTorch's.
   */
  namedChildren(): Array<[string, Module]> {
    return childrenOf(this, false);
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  private ownTensors(): Array<[string, Tensor]> {
    return tensorsOf(this, false);
  }

  /** Parameters (frozen ones included) with dotted names, children included. */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    for (const [mName, m] of this.namedModules(prefix)) {
      for (const [name, t] of m.ownTensors()) {
        if (isParam(t) && !seen.has(t)) {
          seen.add(t);
          out.push([join(mName, name), t]);
        }
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Tensor fields that are not parameters (running statistics and the like). */
  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [mName, m] of this.namedModules(prefix)) {
      for (const [name, t] of m.ownTensors()) if (!isParam(t)) out.push([join(mName, name), t]);
    }
    return out;
  }

  /**
   * Prints a Keras-like table of layers, output shapes and parameter counts for an input of
   * shape inputShape (without the batch axis) and returns the totals; see nn.summary.
   * @example model.summary([1, 28, 28]).totalParams
   */
  summary(inputShape: readonly number[], opts?: SummaryOptions): SummaryResult {
    return summary(this, inputShape, opts);
  }

  /**
   * Freezes (on = false) or unfreezes every parameter, in place; returns this. Frozen
   * parameters stay in parameters() and stateDict() but get no gradient, so optimizers
   * leave them alone, and summary() counts them as non-trainable.
   * @example model.features.requiresGrad_(false); // fine-tune only the head
   */
  requiresGrad_(on = true): this {
    arg('Module.requiresGrad_', 'on', on, is.bool);
    for (const p of this.parameters()) p.requiresGrad = on;
    return this;
  }

  /**
   * Calls fn on every child module (recursively, children first) and then on this one,
   * as PyTorch's Module.apply does; returns this.
   * @example model.apply((m) => { if (m instanceof nn.Linear) nn.init.zeros(m.weight); });
   */
  apply(fn: (m: Module) => void): this {
    arg('Module.apply', 'fn', fn, is.function);
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * The model printed as PyTorch prints it: each layer with its options, children indented.
   * @example
   * String(new nn.Sequential(new nn.Linear({ inFeatures: 784, outFeatures: 10 }), new nn.ReLU()))
   * // Sequential(
   * //   (0): Linear(inFeatures=784, outFeatures=10, bias=true)
   * //   (1): ReLU()
   * // )
   */
  toString(): string {
    const seq = entryOf(this)?.sequence?.(this);
    const children: Array<[string, Module]> = seq ? seq.map((m, i) => [String(i), m]) : this.namedChildren();
    const opts = seq ? '' : formatOptions(this);
    const head = `${layerName(this)}(${children.length ? '' : opts}`;
    if (!children.length) return `${head})`;
    const lines = children.map(([name, m]) => `(${name}): ${m.toString()}`.replace(/\n/g, '\n  '));
    if (opts) lines.unshift(opts);
    return `${head}\n${lines.map((l) => `  ${l}`).join('\n')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode here and in every child; returns this. */
  train(on = true): this {
    for (const [, m] of this.namedModules()) m.training = on;
    return this;
  }

  /** Inference mode: dropout off, batch norm uses running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by dotted name (shared tensors, not copies). */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into the parameters and buffers of the same names. With strict
   * (the default) a missing, unexpected or mis-shaped entry throws, naming it.
   */
  loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, opts: { strict?: boolean } = {}): void {
    const strict = opts.strict ?? true;
    const src = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    if (strict) {
      const missing = [...own.keys()].filter((k) => !src.has(k));
      const unexpected = [...src.keys()].filter((k) => !own.has(k));
      if (missing.length || unexpected.length) {
        throw new TsgradError(
          `loadStateDict: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected ${unexpected.join(', ')}` : ''}`,
        );
      }
    }
    noGrad(() => {
      for (const [name, dst] of own) {
        const v = src.get(name);
        if (!v) continue;
        if (v.shape.length !== dst.shape.length || v.shape.some((d, i) => d !== dst.shape[i])) {
          throw new TsgradError(`loadStateDict: ${name} has shape ${fmtShape(v.shape)} but the model expects ${fmtShape(dst.shape)}`);
        }
        assignInPlace(dst, v);
      }
    });
  }
}

/** m's child modules under PyTorch's names, or (legacy) by field (`layers.0` for a Sequential's first layer). */
function childrenOf(m: Module, legacy: boolean): Array<[string, Module]> {
  const seq = legacy ? undefined : entryOf(m)?.sequence?.(m);
  if (seq) return seq.map((c, i) => [String(i), c]);
  const out: Array<[string, Module]> = [];
  for (const [key, value] of Object.entries(m)) {
    if (value instanceof Module) out.push([key, value]);
    else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (v instanceof Module) out.push([`${key}.${i}`, v]);
      });
    }
  }
  return out;
}

/** m's own tensor fields under their state-dict names (PyTorch's, see nn.register's stateNames), or (legacy) their field names. */
function tensorsOf(m: Module, legacy: boolean): Array<[string, Tensor]> {
  const names = legacy ? undefined : entryOf(m)?.stateNames;
  return Object.entries(m)
    .filter((e): e is [string, Tensor] => e[1] instanceof Tensor)
    .map(([key, t]) => [names?.[key] ?? key, t]);
}

/**
 * The state-dict names tsgrad used before they followed PyTorch's (`layers.0.weight`,
 * `bn.runningMean`), by current name; a tensor that had no earlier name is absent. load()
 * reads files written with them.
 */
export function legacyStateNames(model: Module): Map<string, string> {
  const current = new Map<Tensor, string>();
  for (const [name, t] of model.stateDict()) current.set(t, name);
  const out = new Map<string, string>();
  const walk = (m: Module, prefix: string): void => {
    const renamed = entryOf(m)?.stateNames ?? {};
    for (const [field, t] of tensorsOf(m, true)) {
      const now = current.get(t);
      if (now === undefined || LATER_BUFFERS.has(renamed[field] ?? '') || out.has(now)) continue;
      out.set(now, join(prefix, field));
    }
    for (const [name, child] of childrenOf(m, true)) walk(child, join(prefix, name));
  };
  walk(model, '');
  return out;
}

/** Buffers added with PyTorch's names, absent from files written before. */
const LATER_BUFFERS = new Set(['num_batches_tracked']);

/**
 * Overwrites a dense tensor's elements with another tensor's values (dtype converted).
 * @example
 * const w = zeros([2, 2]);
 * nn.assignInPlace(w, tensor([[1, 2], [3, 4]])); // w.toArray(): [[1, 2], [3, 4]]
 */
export function assignInPlace(dst: Tensor, src: Tensor): void {
  arg('assignInPlace', 'dst', dst, is.instance(Tensor));
  arg('assignInPlace', 'src', src, is.instance(Tensor));
  if (!dst.isContiguous()) throw new TsgradError('assignInPlace: destination must be a dense tensor');
  if (src.size !== dst.size)
    throw new TsgradError(
      `assignInPlace: source ${fmtShape(src.shape)} has ${src.size} elements, destination ${fmtShape(dst.shape)} has ${dst.size}`,
    );
  const values = denseArray(castRaw(src, dst.dtype));
  dst.storage.set(values, dst.offset);
  bumpVersion(dst.storage);
}

/** A parameter: marked as one, or a leaf field requiring gradients (marked now, so that freezing keeps it). */
function isParam(t: Tensor): boolean {
  if (isParameter(t)) return true;
  if (!t.requiresGrad || t.node !== null) return false;
  markParameter(t);
  return true;
}

/** A layer's options as PyTorch's extra_repr: `inFeatures=784, outFeatures=10, bias=true`. */
function formatOptions(m: Module): string {
  const opts = (m as unknown as { options?: unknown }).options;
  if (!opts || typeof opts !== 'object') return '';
  return Object.entries(opts)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(', ');
}

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (typeof v === 'string') return `'${v}'`;
  if (v instanceof Tensor) return `Tensor${JSON.stringify(v.shape)}`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, e]) => `${k}: ${formatValue(e)}`)
      .join(', ')}}`;
  return String(v);
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

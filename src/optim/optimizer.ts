import { kernels } from '../kernels/index.js';
import type { FloatArray } from '../kernels/types.js';
import { Tensor, bumpVersion, denseArray } from '../tensor/tensor.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { closest } from '../util/args.js';

/** A value an optimiser option can take (all JSON-serialisable). */
export type OptionValue = number | boolean | string | readonly number[];

/** Parameters with their own options, overriding the optimiser's defaults (e.g. a smaller lr). */
export interface ParamGroupSpec {
  params: Tensor[];
  [option: string]: OptionValue | Tensor[] | undefined;
}

export type ParamGroup<O> = O & { params: Tensor[]; [option: string]: unknown };

/** Per-parameter state: running averages as tensors (the parameter's shape and dtype) and counters. */
export type ParamState = Record<string, Tensor | number>;

/**
 * A snapshot of an optimiser, PyTorch's layout: `state` keyed by the parameter's position
 * across all groups, `paramGroups` with their options and the positions of their parameters.
 * Holds copies, so that saving it and training on leaves the snapshot unchanged.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}

/** What update() receives for one parameter: dense arrays of the values and of the gradient. */
export interface ParamView {
  param: Tensor;
  p: FloatArray;
  g: ArrayLike<number>;
}

/**
 * Base of every optimiser. Subclasses implement `update` for one parameter; `step()` runs it
 * for each parameter that has a gradient, writing in place into the parameter's storage
 * (no graph: this runs on every training step) and bumping its version, so that a backward
 * through a graph recorded before the step throws instead of using the new values.
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export abstract class Optimizer<O extends object = Record<string, OptionValue>> {
  paramGroups: Array<ParamGroup<O>>;
  readonly defaults: O;
  /** Per-parameter state (momentum buffers, running averages, step counts). */
  state = new Map<Tensor, ParamState>();

  constructor(params: Tensor[] | ParamGroupSpec[], defaults: O) {
    const name = this.constructor.name;
    this.defaults = defaults;
    if (!Array.isArray(params) || params.length === 0) {
      throw new TsgradError(`${name}: got an empty parameter list (pass model.parameters())`);
    }
    const specs: ParamGroupSpec[] = params[0] instanceof Tensor ? [{ params: params as Tensor[] }] : (params as ParamGroupSpec[]);
    const seen = new Set<Tensor>();
    this.paramGroups = specs.map((spec, gi) => {
      if (!spec || !Array.isArray(spec.params)) throw new TsgradError(`${name}: parameter group ${gi} has no params array`);
      for (const k of Object.keys(spec)) {
        if (k !== 'params' && !(k in defaults)) {
          const near = closest(k, Object.keys(defaults));
          const hint = near ? ` (did you mean '${near}'?)` : '';
          throw new TsgradError(
            `${name}: unknown option '${k}' in parameter group ${gi}${hint} (known: ${Object.keys(defaults).join(', ')})`,
          );
        }
      }
      spec.params.forEach((p, i) => {
        if (!(p instanceof Tensor)) throw new TsgradError(`${name}: parameter ${i} of group ${gi} is not a Tensor`);
        if (p.dtype === 'int32') {
          throw new TsgradError(
            `${name}: parameter ${i} of group ${gi} is int32 (shape ${fmtShape(p.shape)}); only floating-point tensors can be optimised`,
          );
        }
        if (seen.has(p)) throw new TsgradError(`${name}: a parameter (shape ${fmtShape(p.shape)}) appears in more than one group`);
        seen.add(p);
      });
      return { ...defaults, ...spec, params: spec.params.slice() } as ParamGroup<O>;
    });
  }

  /** Updates one parameter in place; state starts as {} for a parameter's first step. */
  protected abstract update(view: ParamView, group: ParamGroup<O>, state: ParamState): void;

  /** One optimisation step for every parameter that has a gradient (grad === null is skipped). */
  step(): void {
    for (const group of this.paramGroups) {
      for (const param of group.params) {
        if (param.grad === null) continue;
        if (!param.isContiguous()) {
          throw new TsgradError(
            `${this.constructor.name}.step: parameter of shape ${fmtShape(param.shape)} is a strided view; parameters must be dense`,
          );
        }
        let state = this.state.get(param);
        if (!state) {
          state = {};
          this.state.set(param, state);
        }
        const p = denseArray(param) as FloatArray;
        this.update({ param, p, g: denseArray(param.grad) }, group, state);
        // A graph recorded before this step saved the old values: its backward must refuse them.
        bumpVersion(param.storage);
      }
    }
  }

  /** Clears every parameter's gradient (sets it to null, PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }

  /** The learning rate of the first group; setting it sets every group's. */
  get lr(): number {
    return (this.paramGroups[0] as { lr?: number }).lr ?? NaN;
  }

  set lr(value: number) {
    for (const g of this.paramGroups) (g as { lr?: number }).lr = value;
  }

  /** A copy of the state and options, for checkpoints; restore with loadStateDict. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const ids = g.params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      const opts = Object.fromEntries(
        Object.entries(g)
          .filter(([k]) => k !== 'params')
          .map(([k, v]) => [k, Array.isArray(v) ? v.slice() : v]),
      );
      return { ...opts, params: ids };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = copyState(s);
    }
    return { state, paramGroups };
  }

  /**
   * Restores options and state saved by stateDict() into an optimiser built over the same
   * parameters in the same order; throws naming the group or parameter that does not fit.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') {
      throw new TsgradError(`${name}: expected { state, paramGroups } as returned by stateDict()`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new TsgradError(
        `${name}: the state has ${sd.paramGroups.length} parameter groups but the optimizer has ${this.paramGroups.length}`,
      );
    }
    const params: Tensor[] = [];
    sd.paramGroups.forEach((g, gi) => {
      const own = this.paramGroups[gi];
      if (g.params.length !== own.params.length) {
        throw new TsgradError(
          `${name}: group ${gi} has ${g.params.length} parameters in the state but ${own.params.length} in the optimizer`,
        );
      }
      g.params.forEach((id, j) => (params[id] = own.params[j]));
    });
    const state = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      if (!p) throw new TsgradError(`${name}: state for parameter ${key}, which no group lists`);
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor && (v.size !== p.size || v.ndim !== p.ndim || v.shape.some((d, i) => d !== p.shape[i]))) {
          throw new TsgradError(
            `${name}: state '${k}' of parameter ${key} has shape ${fmtShape(v.shape)} but the parameter has ${fmtShape(p.shape)}`,
          );
        }
      }
      state.set(p, copyState(s, p));
    }
    sd.paramGroups.forEach((g, gi) => {
      const own = this.paramGroups[gi] as Record<string, unknown>;
      for (const [k, v] of Object.entries(g)) if (k !== 'params') own[k] = Array.isArray(v) ? v.slice() : v;
    });
    this.state = state;
  }
}

/**
 * Deep copy of one parameter's state; tensors become dense copies. Restoring (like given),
 * they take like's dtype, and float32 ones go where the kernels keep state (persistentBuffer:
 * the wasm heap), so that a resumed run steps as fast as a fresh one.
 */
function copyState(s: ParamState, like?: Tensor): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) {
    if (v instanceof Tensor) {
      const data = denseArray(v);
      if (!like) {
        out[k] = new Tensor(data.slice(), v.shape);
        continue;
      }
      const dst = like.dtype === 'float64' ? new Float64Array(data.length) : kernels().persistentBuffer(data.length);
      dst.set(data);
      out[k] = new Tensor(dst, v.shape);
    } else out[k] = v;
  }
  return out;
}

/**
 * A zero buffer shaped like the parameter, for running averages: float32 ones from the
 * kernels, which keep them where they update them in place (persistentBuffer: the wasm heap).
 */
export function zerosBuffer(param: Tensor): Tensor {
  const data = param.dtype === 'float64' ? new Float64Array(param.size) : kernels().persistentBuffer(param.size);
  return new Tensor(data, param.shape);
}

/** The dense storage of a state buffer created by zerosBuffer or restored by loadStateDict. */
export function bufferOf(state: ParamState, key: string): FloatArray {
  return (state[key] as Tensor).storage as FloatArray;
}

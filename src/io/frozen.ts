import { Module } from '../nn/module.js';
import { is, options } from '../util/args.js';
import { TsgradError } from '../util/errors.js';

/** Names of the parameters frozen with requiresGrad_(false), for config.json. */
export function frozenNames(model: Module): string[] {
  return model
    .namedParameters()
    .filter(([, p]) => !p.requiresGrad)
    .map(([name]) => name);
}

/**
 * Freezes the parameters a config lists as frozen; the others keep their flag (a model built by
 * the caller may freeze more). names maps current state-dict names to the ones the files use.
 */
export function applyFrozen(model: Module, config: { frozen?: unknown }, dir: string, names = new Map<string, string>()): void {
  const frozen = config.frozen ?? [];
  if (!Array.isArray(frozen) || !frozen.every((n) => typeof n === 'string')) {
    throw new TsgradError(`load: ${dir}/config.json: 'frozen' must be an array of parameter names, got ${JSON.stringify(frozen)}`);
  }
  // A config written with tsgrad's earlier state-dict names lists them (names: current -> stored).
  const params = new Map(model.namedParameters().map(([name, p]) => [names.get(name) ?? name, p]));
  for (const name of frozen) {
    if (!params.has(name)) throw new TsgradError(`load: ${dir}/config.json lists '${name}' as frozen but the model has no such parameter`);
  }
  for (const name of frozen) params.get(name)!.requiresGrad = false;
}

/** load()'s options, checked. */
export function loadOptions<M extends Module>(opts: unknown): { into?: M } {
  return options<{ into?: M }>('load', opts, { into: is.instance(Module) });
}

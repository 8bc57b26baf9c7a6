import { mul } from '../../ops/elementwise.js';
import { concat } from '../../ops/movement.js';
import type { Tensor } from '../../tensor/tensor.js';
import { arg, is, options } from '../../util/args.js';
import { TsgradError, check, fmtShape } from '../../util/errors.js';
import { ReLU } from '../activation.js';
import { Embedding } from '../embedding.js';
import { normal } from '../init.js';
import { Linear } from '../linear.js';
import { Module } from '../module.js';
import { register } from '../registry.js';
import { Sequential } from '../sequential.js';

/**
 * Neural collaborative filtering (He, Liao, Zhang, Nie, Hu and Chua, WWW 2017). Each model takes
 * int32 pairs [N, 2] (user index, item index) and returns one logit per pair [N, 1]: the odds that
 * the user interacts with the item (train with binary cross-entropy on logits).
 */
export interface NcfOptions {
  users: number;
  items: number;
  /** Size of the GMF embeddings (default 8). */
  factors?: number;
  /** Widths of the MLP tower; its input is the two embeddings of layers[0] / 2 each (default [64, 32, 16, 8]). */
  layers?: number[];
}

const NCF_SPEC = { users: is.positiveInt, items: is.positiveInt, factors: is.positiveInt, layers: is.arrayOf(is.positiveInt) };

function ncfOptions(name: string, opts: NcfOptions): Required<NcfOptions> {
  options<NcfOptions>(name, opts, NCF_SPEC, ['users', 'items']);
  const layers = opts.layers ?? [64, 32, 16, 8];
  if (layers.length === 0 || layers[0] % 2 !== 0) {
    throw new TsgradError(`${name}: layers must start with an even width (two embeddings of half of it), got [${layers.join(', ')}]`);
  }
  return { users: opts.users, items: opts.items, factors: opts.factors ?? 8, layers: [...layers] };
}

/** The user and item columns of pairs [N, 2], checked. */
function pairs(name: string, x: Tensor): [Tensor, Tensor] {
  if (x.ndim !== 2 || x.shape[1] !== 2 || x.dtype !== 'int32') {
    throw new TsgradError(`${name}: expected int32 (user, item) pairs [N, 2], got ${x.dtype} ${fmtShape(x.shape)}`);
  }
  return [x.select(1, 0), x.select(1, 1)];
}

// The paper initialises embeddings from N(0, 0.01²).
const smallEmbedding = (n: number, dim: number): Embedding => {
  const e = new Embedding({ numEmbeddings: n, embeddingDim: dim });
  normal(e.weight, { std: 0.01 });
  return e;
};

/** What the NCF models share: checked options, a last hidden vector per pair (features), and one logit from it. */
abstract class PairScorer extends Module {
  readonly options: Required<NcfOptions>;
  abstract predict: Linear;
  constructor(name: string, opts: NcfOptions) {
    super();
    this.options = ncfOptions(name, opts);
  }
  abstract features(x: Tensor): Tensor;
  forward(x: Tensor): Tensor {
    return this.predict.forward(this.features(x));
  }
}

/**
 * Generalised matrix factorisation: the element-wise product of a user and an item embedding, then a linear layer.
 * @example new nn.models.GMF({ users: 6040, items: 3706, factors: 8 }).forward(pairs) // int32 [N, 2] -> [N, 1]
 */
export class GMF extends PairScorer {
  userEmbedding: Embedding;
  itemEmbedding: Embedding;
  predict: Linear;
  constructor(opts: NcfOptions) {
    super('GMF', opts);
    const { users, items, factors } = this.options;
    this.userEmbedding = smallEmbedding(users, factors);
    this.itemEmbedding = smallEmbedding(items, factors);
    this.predict = new Linear({ inFeatures: factors, outFeatures: 1 });
  }
  /** The last hidden vector [N, factors] (what NeuMF fuses). */
  features(x: Tensor): Tensor {
    const [u, i] = pairs('GMF', x);
    return mul(this.userEmbedding.forward(u), this.itemEmbedding.forward(i));
  }
}

/**
 * The MLP of NCF: the two embeddings concatenated, then a tower of Linear + ReLU layers of halving widths.
 * @example new nn.models.NcfMLP({ users: 6040, items: 3706, layers: [64, 32, 16, 8] }).forward(pairs) // [N, 2] -> [N, 1]
 */
export class NcfMLP extends PairScorer {
  userEmbedding: Embedding;
  itemEmbedding: Embedding;
  tower: Sequential;
  predict: Linear;
  constructor(opts: NcfOptions) {
    super('NcfMLP', opts);
    const { users, items, layers } = this.options;
    this.userEmbedding = smallEmbedding(users, layers[0] / 2);
    this.itemEmbedding = smallEmbedding(items, layers[0] / 2);
    const tower: Module[] = [];
    for (let k = 1; k < layers.length; k++) tower.push(new Linear({ inFeatures: layers[k - 1], outFeatures: layers[k] }), new ReLU());
    this.tower = new Sequential(...tower);
    this.predict = new Linear({ inFeatures: layers[layers.length - 1], outFeatures: 1 });
  }
  features(x: Tensor): Tensor {
    const [u, i] = pairs('NcfMLP', x);
    const h = concat([this.userEmbedding.forward(u), this.itemEmbedding.forward(i)], 1);
    return this.tower.children().length ? this.tower.forward(h) : h;
  }
}

/**
 * NeuMF: GMF and MLP with their own embeddings, their last hidden vectors concatenated into one linear layer.
 * @example
 * const model = new nn.models.NeuMF({ users: 6040, items: 3706, factors: 8 });
 * model.forward(tensor([[0, 5], [1, 7]], { dtype: 'int32' })) // [2, 1] logits
 */
export class NeuMF extends PairScorer {
  gmf: GMF;
  mlp: NcfMLP;
  predict: Linear;
  constructor(opts: NcfOptions) {
    super('NeuMF', opts);
    this.gmf = new GMF(this.options);
    this.mlp = new NcfMLP(this.options);
    const { factors, layers } = this.options;
    this.predict = new Linear({ inFeatures: factors + layers[layers.length - 1], outFeatures: 1 });
  }
  features(x: Tensor): Tensor {
    return concat([this.gmf.features(x), this.mlp.features(x)], 1);
  }

  /**
   * The paper's pre-training: a NeuMF whose GMF and MLP parts are copies of trained ones and whose
   * output layer weighs them alpha and 1 - alpha (default 0.5): [α·h_GMF, (1 - α)·h_MLP].
   */
  static fromPretrained(gmf: GMF, mlp: NcfMLP, alpha = 0.5): NeuMF {
    arg('NeuMF.fromPretrained', 'gmf', gmf, is.instance(GMF, 'GMF'));
    arg('NeuMF.fromPretrained', 'mlp', mlp, is.instance(NcfMLP, 'NcfMLP'));
    arg('NeuMF.fromPretrained', 'alpha', alpha, is.probability);
    const same = (k: 'users' | 'items'): boolean => gmf.options[k] === mlp.options[k];
    check(same('users') && same('items'), 'NeuMF.fromPretrained', () => 'GMF and MLP must be trained on the same users and items');
    const m = new NeuMF({ ...mlp.options, factors: gmf.options.factors });
    m.gmf.loadStateDict(gmf.stateDict());
    m.mlp.loadStateDict(mlp.stateDict());
    const w = m.predict.weight.storage as Float32Array;
    w.set(
      (gmf.predict.weight.data() as Float32Array).map((v) => alpha * v),
      0,
    );
    w.set(
      (mlp.predict.weight.data() as Float32Array).map((v) => (1 - alpha) * v),
      gmf.options.factors,
    );
    (m.predict.bias!.storage as Float32Array)[0] = alpha * gmf.predict.bias!.item() + (1 - alpha) * mlp.predict.bias!.item();
    return m;
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
register(GMF, 'GMF');
register(NcfMLP, 'NcfMLP');
register(NeuMF, 'NeuMF');

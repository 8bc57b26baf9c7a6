import type { Tensor } from '../tensor/tensor.js';
import { elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh } from '../ops/elementwise.js';
import { logSoftmax, softmax } from '../ops/reduce.js';
import { Module } from './module.js';
import { register } from './registry.js';

/**
 * Activation layers: each wraps its op (F.relu, F.softmax, ...) so that it can sit in a
 * Sequential. Options are stored normalised in `options`, like every layer.
 * @example new nn.Sequential(new nn.Linear({ inFeatures: 4, outFeatures: 8 }), new nn.ReLU())
 */

type NoOptions = Record<string, never>;

/** max(x, 0). */
export class ReLU extends Module {
  readonly options: NoOptions = {};
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** 1 / (1 + e^-x). */
export class Sigmoid extends Module {
  readonly options: NoOptions = {};
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh(x). */
export class Tanh extends Module {
  readonly options: NoOptions = {};
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** x for x > 0, negativeSlope · x otherwise (default slope 0.01). */
export class LeakyReLU extends Module {
  readonly options: { negativeSlope: number };
  constructor(opts: { negativeSlope?: number } = {}) {
    super();
    this.options = { negativeSlope: opts.negativeSlope ?? 0.01 };
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.options.negativeSlope);
  }
}

/** x · Φ(x), the exact (erf) form. */
export class GELU extends Module {
  readonly options: NoOptions = {};
  forward(x: Tensor): Tensor {
    return gelu(x);
  }
}

/** x · sigmoid(x) (also called swish). */
export class SiLU extends Module {
  readonly options: NoOptions = {};
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** x for x > 0, alpha (e^x - 1) otherwise (default alpha 1). */
export class ELU extends Module {
  readonly options: { alpha: number };
  constructor(opts: { alpha?: number } = {}) {
    super();
    this.options = { alpha: opts.alpha ?? 1 };
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.options.alpha);
  }
}

/** log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (defaults 1 and 20). */
export class Softplus extends Module {
  readonly options: { beta: number; threshold: number };
  constructor(opts: { beta?: number; threshold?: number } = {}) {
    super();
    this.options = { beta: opts.beta ?? 1, threshold: opts.threshold ?? 20 };
  }
  forward(x: Tensor): Tensor {
    return softplus(x, this.options);
  }
}

/** e^x / Σ e^x along axis (default the last). */
export class Softmax extends Module {
  readonly options: { axis: number };
  constructor(opts: { axis?: number } = {}) {
    super();
    this.options = { axis: opts.axis ?? -1 };
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.options.axis);
  }
}

/** x - log Σ e^x along axis (default the last); pair with nllLoss. */
export class LogSoftmax extends Module {
  readonly options: { axis: number };
  constructor(opts: { axis?: number } = {}) {
    super();
    this.options = { axis: opts.axis ?? -1 };
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.options.axis);
  }
}

/** Returns its input unchanged (a placeholder layer). */
export class Identity extends Module {
  readonly options: NoOptions = {};
  forward(x: Tensor): Tensor {
    return x;
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
register(ReLU, 'ReLU');
register(Sigmoid, 'Sigmoid');
register(Tanh, 'Tanh');
register(LeakyReLU, 'LeakyReLU');
register(GELU, 'GELU');
register(SiLU, 'SiLU');
register(ELU, 'ELU');
register(Softplus, 'Softplus');
register(Softmax, 'Softmax');
register(LogSoftmax, 'LogSoftmax');
register(Identity, 'Identity');

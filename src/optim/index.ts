/** Optimisers, learning-rate schedules and regularisation penalties. */
export {
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamState,
  type OptionValue,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export {
  LRScheduler,
  StepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LambdaLR,
  LinearLR,
  OneCycleLR,
  SequentialLR,
  ReduceLROnPlateau,
  type OneCycleLROptions,
  type ReduceLROnPlateauOptions,
} from './schedulers.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export { l1Penalty, l2Penalty } from './regularizers.js';

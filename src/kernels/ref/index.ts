import type { Kernels } from '../types.js';
import { affineWarp } from './augment.js';
import { binary, copy, unary, where } from './elementwise.js';
import {
  avgPool2dBackward,
  avgPool2dForward,
  conv2dBackward,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  conv2dReluMaxPoolBackward,
  conv2dReluMaxPoolForward,
  maxPool2dBackward,
  maxPool2dForward,
} from './conv.js';
import { gather, indexAdd, indexSelect, scatterAdd } from './gather.js';
import { gemm } from './gemm.js';
import { adam, gradientArray, persistentBuffer, releaseSaved, savedFloats, savedIndices } from './optim.js';
import { batchNormBackward, channelAffine, channelStats } from './norm.js';
import { argReduce, reduce } from './reduce.js';

/** The pure-TypeScript kernels: the specification every faster backend is tested against. */
export const refKernels: Kernels = {
  name: 'ref',
  unary,
  binary,
  where,
  copy,
  reduce,
  argReduce,
  gemm,
  indexSelect,
  indexAdd,
  gather,
  scatterAdd,
  conv2dForward,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dBackward,
  maxPool2dForward,
  maxPool2dBackward,
  conv2dReluMaxPoolForward,
  conv2dReluMaxPoolBackward,
  adam,
  persistentBuffer,
  savedIndices,
  savedFloats,
  gradientArray,
  releaseSaved,
  avgPool2dForward,
  avgPool2dBackward,
  channelStats,
  channelAffine,
  batchNormBackward,
  affineWarp,
};

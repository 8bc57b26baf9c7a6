// TEMPORARY placeholder: the convolution/pooling task replaces this file with the real kernels.
import type { ConvGeom, FloatArray, PoolGeom } from '../types.js';
const todo = (name: string) => (): never => { throw new Error(`${name}: not implemented yet`); };
export const conv2dForward: (x: FloatArray, w: FloatArray, b: FloatArray | null, y: FloatArray, g: ConvGeom) => void = todo('conv2dForward');
export const conv2dBackwardInput: (dy: FloatArray, w: FloatArray, dx: FloatArray, g: ConvGeom) => void = todo('conv2dBackwardInput');
export const conv2dBackwardWeight: (x: FloatArray, dy: FloatArray, dw: FloatArray, g: ConvGeom) => void = todo('conv2dBackwardWeight');
export const maxPool2dForward: (x: FloatArray, y: FloatArray, a: Int32Array, g: PoolGeom) => void = todo('maxPool2dForward');
export const maxPool2dBackward: (dy: FloatArray, a: Int32Array, dx: FloatArray, g: PoolGeom) => void = todo('maxPool2dBackward');
export const avgPool2dForward: (x: FloatArray, y: FloatArray, g: PoolGeom) => void = todo('avgPool2dForward');
export const avgPool2dBackward: (dy: FloatArray, dx: FloatArray, g: PoolGeom) => void = todo('avgPool2dBackward');

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arg, closest, is, options, show } from './args.js';

test('options: unknown keys name the function and suggest the near miss', () => {
  const spec = { lr: is.nonNegative, betas: is.optional(is.arrayOf(is.number, 2)), weightDecay: is.nonNegative };
  assert.throws(
    () => options('Adam', { learningRate: 0.5 }, spec),
    /Adam: unknown option 'learningRate' \(did you mean 'lr'\?\); known options: lr, betas, weightDecay/,
  );
  assert.throws(() => options('Adam', { weight_decay: 0.1 }, spec), /did you mean 'weightDecay'/);
  assert.throws(() => options('Adam', { zzz: 1 }, spec), /unknown option 'zzz'; known options/);
  assert.throws(() => options('Adam', { lr: '0.1' }, spec), /Adam: option 'lr' must be a number >= 0, got "0.1"/);
  assert.throws(() => options('Adam', { betas: [0.9] }, spec), /option 'betas' must be an array of 2 numbers/);
  assert.deepEqual(options('Adam', { lr: 0.1, betas: undefined }, spec), { lr: 0.1, betas: undefined });
  assert.deepEqual(options('Adam', undefined, spec), {});
});

test('options: required keys and non-objects', () => {
  const spec = { inFeatures: is.positiveInt, outFeatures: is.positiveInt, bias: is.bool };
  assert.throws(
    () => options('Linear', undefined, spec, ['inFeatures', 'outFeatures']),
    /Linear: expected an options object with inFeatures, outFeatures, got undefined/,
  );
  assert.throws(
    () => options('Linear', { inFeatures: 3 }, spec, ['inFeatures', 'outFeatures']),
    /Linear: option 'outFeatures' is required \(a positive integer\)/,
  );
  assert.throws(() => options('Linear', 3, spec), /expected an options object, got 3/);
  assert.throws(
    () => options('Linear', { inFeatures: 2.5, outFeatures: 1 }, spec),
    /option 'inFeatures' must be a positive integer, got 2.5/,
  );
});

test('arg and show describe what was passed', () => {
  assert.throws(
    () => arg('sum', 'dim', 'x', is.optional(is.dims)),
    /sum: argument 'dim' must be an integer or an array of integers \(or undefined\), got "x"/,
  );
  assert.deepEqual(arg('sum', 'dim', [0, 1], is.dims), [0, 1]);
  assert.equal(show(new Float32Array(3)), 'a Float32Array of 3');
  assert.equal(show({ a: 1 }), 'an object {a}');
  assert.equal(show(new Map()), 'a Map');
  assert.equal(closest('keepdims', ['dim', 'keepdim']), 'keepdim');
  assert.equal(closest('kernel_size', ['kernelSize', 'stride']), 'kernelSize');
  assert.equal(closest('foo', ['kernelSize', 'stride']), null);
  // A swap of two neighbouring letters is one edit.
  assert.equal(closest('modle', ['model', 'epochs']), 'model');
  assert.ok(is.intOrTuple(2)([3, 3]) && is.intOrTuple(2)(3) && !is.intOrTuple(2)(0) && !is.intOrTuple(2)(2.5));
});

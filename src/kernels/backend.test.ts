import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getBackend, setBackend, withBackend } from './index.js';
import { wasmLoadError } from './wasm/index.js';

test(
  'withBackend runs fn on the named backend and restores the previous one, also when fn throws',
  { skip: wasmLoadError() ?? false },
  () => {
    setBackend('wasm');
    assert.equal(
      withBackend('ref', () => getBackend()),
      'ref',
    );
    assert.equal(getBackend(), 'wasm');
    assert.throws(
      () =>
        withBackend('ref', () => {
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.equal(getBackend(), 'wasm');
    assert.throws(() => withBackend('gpu' as never, () => 1), /setBackend: backend 'gpu' is not available/);
    assert.equal(getBackend(), 'wasm');
  },
);

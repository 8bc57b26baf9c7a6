// ESLint for the TypeScript sources (npm run lint). AssemblyScript (assembly/) is not TypeScript
// as ESLint's parser knows it (decorators on functions, v128), so asc's own checks cover it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'assembly/', 'docs/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        globalThis: 'readonly',
        WebAssembly: 'readonly',
        Atomics: 'readonly',
        SharedArrayBuffer: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        Buffer: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
        Worker: 'readonly',
        self: 'readonly',
        postMessage: 'readonly',
      },
    },
    rules: {
      // Unused arguments keep kernel and callback signatures uniform; an underscore marks them.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);

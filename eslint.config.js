import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers (docs/architecture.md, "Layout"): core at the bottom, training-image and functions on it, infra and the
 * local stack on top. An import against that direction is a lint error, not a review comment;
 * test/lint/import-direction.test.ts shows each rule failing on a wrong import.
 */
const upperLayers = {
  regex: String.raw`(^|/)(functions|training-image|infra|local)/`,
  message:
    'core/ is the bottom layer: it imports nothing from functions/, training-image/, infra/ or local/.',
};
const tensorflow = {
  regex: '^@tensorflow/',
  message: 'The serving path never loads TensorFlow.js (it would pull it into every Lambda bundle).',
};
const trainingImage = {
  regex: String.raw`(^|/)training-image/`,
  message: 'Serving code does not import the training image (it brings TensorFlow.js with it).',
};
const ccxt = {
  regex: '^ccxt(/|$)',
  message:
    'ccxt is used through one entry, core/market/ccxt-source.ts (CcxtCandleSource), which loads exchange classes with core/market/exchange-classes.ts.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      'dist/',
      '.local/',
      'coverage/',
      '.ci-cache/',
      // The documentation site's build output, Vite's cache and the generated API page.
      'docs/.vitepress/dist/',
      'docs/.vitepress/cache/',
      'docs/.generated/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The bundling shims (infra/bundling/builtins/) are CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['core/market/ccxt-source.ts', 'core/market/exchange-classes.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [upperLayers, tensorflow, ccxt] }] },
  },
  {
    files: ['core/market/ccxt-source.ts', 'core/market/exchange-classes.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [upperLayers, tensorflow] }] },
  },
  {
    files: ['functions/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [tensorflow, trainingImage, ccxt] }] },
  },
);

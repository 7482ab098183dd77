import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers (docs/architecture.md, "Layout"), bottom to top: core (the pure domain), adapters (its I/O),
 * serving (the predictor), then training-image and functions, then infra, local and bench. An import
 * against that direction, or an I/O import in the domain, is a lint error, not a review comment;
 * test/lint/import-direction.test.ts and test/lint/domain-purity.test.ts show each rule failing.
 */
const layer = (folders, message) => ({ regex: String.raw`(^|/)(${folders.join('|')})/`, message });

const aboveCore = layer(
  ['adapters', 'serving', 'functions', 'training-image', 'infra', 'local'],
  'core/ is the bottom layer, the pure domain: it imports nothing from adapters/, serving/, functions/, training-image/, infra/ or local/.',
);
const aboveAdapters = layer(
  ['serving', 'functions', 'training-image', 'infra', 'local'],
  'adapters/ sit on core/ only: they import nothing from serving/, functions/, training-image/, infra/ or local/.',
);
const aboveServing = layer(
  ['functions', 'training-image', 'infra', 'local'],
  'serving/ sits on core/ and adapters/: it imports nothing from functions/, training-image/, infra/ or local/.',
);
const tensorflow = {
  regex: '^@tensorflow/',
  message: 'The serving path never loads TensorFlow.js (it would pull it into every Lambda bundle).',
};
const trainingImage = {
  regex: String.raw`(^|/)training-image/`,
  message: 'Serving code does not import the training image (it brings TensorFlow.js with it).',
};
const upperToFunctions = layer(
  ['infra', 'local'],
  'functions/ is what ships to Lambda: it imports nothing from infra/ or local/.',
);
const ccxt = {
  regex: '^ccxt(/|$)',
  message:
    'ccxt is used through one entry, adapters/market/ccxt-source.ts (CcxtCandleSource), which loads exchange classes with adapters/market/exchange-classes.ts.',
};
const onnxruntime = {
  regex: '^onnxruntime-(node|common)(/|$)',
  message:
    'onnxruntime-node is used through adapters/inference/ (OnnxSession), the one module that loads it.',
};
const awsSdk = {
  regex: '^@aws-sdk/',
  message: 'The AWS SDK is an adapter: object storage lives in adapters/storage/.',
};

/**
 * What makes core/ pure: no file system, network, process, cloud SDK, exchange or inference runtime.
 * Both spellings of each built-in (`node:fs`, `fs`), and their subpaths (`fs/promises`).
 */
const IO_BUILTINS = [
  'fs',
  'http',
  'https',
  'http2',
  'net',
  'tls',
  'dgram',
  'dns',
  'child_process',
  'worker_threads',
];
const ioBuiltins = {
  regex: String.raw`^(node:)?(${IO_BUILTINS.join('|')})(/|$)`,
  message:
    'core/ is the pure domain: no I/O (file system, network, processes). Put the I/O in adapters/ and hand core/ plain data.',
};
const domainIo = [
  ioBuiltins,
  { ...awsSdk, message: 'core/ is the pure domain: the AWS SDK belongs in adapters/storage/.' },
  { ...ccxt, message: 'core/ is the pure domain: ccxt belongs in adapters/market/.' },
  { ...onnxruntime, message: 'core/ is the pure domain: onnxruntime-node belongs in adapters/inference/.' },
];

/**
 * What ships to Lambda imports each module by its own path, never through an index.ts barrel: a barrel
 * makes every function load every module it re-exports (a barrel import made /healthz load all 18
 * distribution modules), and esbuild keeps what a module's top level runs.
 */
const barrel = {
  regex: String.raw`(^|/)index\.js$`,
  message:
    'Import the module that defines it, not an index.js barrel: shipped code (functions/, serving/, adapters/) loads only what it runs.',
};

const CCXT_ENTRIES = ['adapters/market/ccxt-source.ts', 'adapters/market/exchange-classes.ts'];

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
    rules: { 'no-restricted-imports': ['error', { patterns: [aboveCore, tensorflow, ...domainIo] }] },
  },
  {
    files: ['adapters/**/*.ts'],
    ignores: [...CCXT_ENTRIES, 'adapters/inference/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [aboveAdapters, tensorflow, ccxt, onnxruntime, barrel] },
      ],
    },
  },
  {
    files: CCXT_ENTRIES,
    rules: {
      'no-restricted-imports': ['error', { patterns: [aboveAdapters, tensorflow, onnxruntime, barrel] }],
    },
  },
  {
    files: ['adapters/inference/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [aboveAdapters, tensorflow, ccxt, barrel] }] },
  },
  {
    files: ['serving/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [aboveServing, tensorflow, ccxt, onnxruntime, awsSdk, barrel] },
      ],
    },
  },
  {
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [tensorflow, trainingImage, upperToFunctions, ccxt, onnxruntime, barrel] },
      ],
    },
  },
);

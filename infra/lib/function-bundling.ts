import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FUNCTION_ESBUILD } from '../bundling/function-esbuild.js';
import type { Architecture } from './config.js';

/** Where the bundle's conf/ ends up in the function: the handler lives in /var/task. */
export const FUNCTION_CONF_DIR = '/var/task/conf';

export const LAMBDA_ARCHITECTURE = {
  x86_64: { lambda: lambda.Architecture.X86_64, node: 'x64' },
  arm64: { lambda: lambda.Architecture.ARM_64, node: 'arm64' },
} as const;

/**
 * How every function is bundled:
 *
 * - ESM, because the handlers and core/ are ESM and core/config reads `import.meta.url` at load time (a CJS
 *   bundle would make it undefined); a `require` made with createRequire keeps bundled CJS packages that call
 *   require() on Node built-ins working.
 * - Everything bundled, the AWS SDK included (the version package-lock.json pins, not the runtime's),
 *   except onnxruntime-node: a native addon that esbuild cannot bundle. finish-bundle.ts then copies it
 *   in from node_modules with the native binaries of `architecture` only, copies conf/, and refuses a bundle
 *   that contains TensorFlow.js. No npm install at synth: it stays offline and uses the locked version.
 * - LEFT_OUT_PACKAGES (undici) neither bundled nor shipped: their importer copes without them, and each
 *   bundled megabyte costs a cold start about 0.1 s of parsing.
 * - Node built-ins through process.getBuiltinModule (function-esbuild.ts says why).
 */
export function functionBundling(architecture: Architecture, projectDir: string): BundlingOptions {
  const arch = LAMBDA_ARCHITECTURE[architecture].node;
  const finish = join(projectDir, 'infra', 'bundling', 'finish-bundle.ts');
  return {
    format: OutputFormat.ESM,
    target: FUNCTION_ESBUILD.target,
    mainFields: [...FUNCTION_ESBUILD.mainFields],
    banner: FUNCTION_ESBUILD.banner.js,
    externalModules: [...FUNCTION_ESBUILD.external],
    minify: FUNCTION_ESBUILD.minify,
    // NodejsFunction has no alias option; esbuild's CLI takes each as --alias:FROM=TO.
    esbuildArgs: { '--alias': Object.entries(FUNCTION_ESBUILD.alias).map(([from, to]) => `${from}=${to}`) },
    sourceMap: true,
    // The map's mappings are enough to name file and line; the sources would triple its size.
    sourcesContent: false,
    metafile: true,
    // esbuild's size hints are noise; finish-bundle.ts prints each function's size.
    logLevel: LogLevel.WARNING,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        [
          process.execPath,
          '--import',
          'tsx',
          finish,
          '--out',
          outputDir,
          '--arch',
          arch,
          '--project',
          projectDir,
        ]
          .map(shellQuote)
          .join(' '),
      ],
    },
  };
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

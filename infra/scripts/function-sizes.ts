#!/usr/bin/env node
/**
 * Bundles every Lambda function as `npx cdk synth` does and prints the size of each, unzipped: Lambda
 * refuses a function over 250 MB unzipped (code and layers together).
 *
 *   npm run size:functions [-- --json] [-- -c architecture=arm64 ...]
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { CfnElement } from 'aws-cdk-lib';
import { folderBytes } from '../bundling/finish-bundle.js';
import { buildForecastApp, cdkJsonContext } from '../lib/build.js';
import type { ForecastStack } from '../lib/forecast-stack.js';

/** Lambda's limit on a function's unzipped code and layers. */
export const LAMBDA_UNZIPPED_LIMIT = 250 * 1_000_000;

export interface FunctionSize {
  readonly route: string;
  /** The asset folder in the cloud assembly: what Lambda unzips into /var/task. */
  readonly assetDir: string;
  readonly bytes: number;
  /** Packages copied into node_modules/ (onnxruntime-node and its dependency), if any. */
  readonly nodeModules: readonly string[];
}

export interface SynthesizedTemplate {
  readonly Resources: Record<string, { readonly Metadata?: Record<string, string> }>;
}

/** Sizes of the functions of a stack synthesized with bundling and asset metadata into `outdir`. */
export function functionSizes(
  stack: ForecastStack,
  outdir: string,
  template: SynthesizedTemplate,
): FunctionSize[] {
  const sizes: FunctionSize[] = [];
  for (const [route, fn] of stack.api.functions) {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    const assetPath = template.Resources[logicalId]?.Metadata?.['aws:asset:path'];
    if (assetPath === undefined)
      throw new Error(`${route}: no aws:asset:path metadata; enable asset metadata`);
    const assetDir = join(outdir, assetPath);
    const modules = join(assetDir, 'node_modules');
    sizes.push({
      route,
      assetDir,
      bytes: folderBytes(assetDir),
      nodeModules: existsSync(modules) ? readdirSync(modules).sort() : [],
    });
  }
  return sizes;
}

/** Synthesizes the stack of cdk.json's context (plus `overrides`) with bundling into a new folder. */
export function synthWithBundling(overrides: Record<string, unknown> = {}): {
  stack: ForecastStack;
  outdir: string;
  template: SynthesizedTemplate;
} {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-sizes-'));
  const { app, stack } = buildForecastApp({
    outdir,
    context: { ...cdkJsonContext(), ...overrides, 'aws:cdk:enable-asset-metadata': true },
  });
  const template = app.synth().getStackArtifact(stack.artifactId).template as SynthesizedTemplate;
  return { stack, outdir, template };
}

export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

function main(argv: readonly string[]): void {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean', default: false },
      context: { type: 'string', short: 'c', multiple: true },
    },
  });
  const overrides = Object.fromEntries(
    (values.context ?? []).map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? [pair, 'true'] : [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const { stack, outdir, template } = synthWithBundling(overrides);
  try {
    const sizes = functionSizes(stack, outdir, template);
    if (values.json === true) {
      console.log(
        JSON.stringify(sizes.map(({ route, bytes, nodeModules }) => ({ route, bytes, nodeModules }))),
      );
    } else {
      const architecture = stack.node.tryGetContext('architecture') as string;
      console.log(
        `Functions, unzipped (${architecture}; Lambda's limit is ${formatMegabytes(LAMBDA_UNZIPPED_LIMIT)}):`,
      );
      for (const size of sizes) {
        const extra = size.nodeModules.length === 0 ? '' : `  (node_modules: ${size.nodeModules.join(', ')})`;
        console.log(`  ${size.route.padEnd(8)} ${formatMegabytes(size.bytes).padStart(9)}${extra}`);
      }
    }
    const over = sizes.filter((size) => size.bytes > LAMBDA_UNZIPPED_LIMIT);
    if (over.length > 0) {
      console.error(`Over Lambda's limit: ${over.map((size) => size.route).join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}

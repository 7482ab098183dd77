import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  LAMBDA_UNZIPPED_LIMIT,
  formatMegabytes,
  functionSizes,
  synthWithBundling,
  type FunctionSize,
} from '../../../infra/scripts/function-sizes.js';

/**
 * The functions bundled for real, as `npx cdk synth` bundles them (esbuild, then finish-bundle.ts), and
 * run with node the way Lambda would load them.
 */
describe('bundled functions', { timeout: 180_000 }, () => {
  let outdir = '';
  let sizes = new Map<string, FunctionSize>();

  before(() => {
    const synthesized = synthWithBundling();
    outdir = synthesized.outdir;
    sizes = new Map(
      functionSizes(synthesized.stack, synthesized.outdir, synthesized.template).map((size) => [
        size.route,
        size,
      ]),
    );
  });

  after(() => {
    if (outdir !== '') rmSync(outdir, { recursive: true, force: true });
  });

  function asset(route: string): FunctionSize {
    const size = sizes.get(route);
    assert.ok(size, `no bundled ${route} function`);
    return size;
  }

  it('keeps the predict function far under the 250 MB Lambda limit', (context) => {
    const predict = asset('predict');
    context.diagnostic(`predict: ${formatMegabytes(predict.bytes)} unzipped`);
    assert.ok(predict.bytes < LAMBDA_UNZIPPED_LIMIT / 2, `predict is ${formatMegabytes(predict.bytes)}`);
  });

  it('ships onnxruntime-node with the linux x64 binaries only', () => {
    const predict = asset('predict');
    assert.deepEqual(predict.nodeModules, ['onnxruntime-common', 'onnxruntime-node']);
    const napi = join(predict.assetDir, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
    assert.deepEqual(readdirSync(napi), ['linux']);
    assert.deepEqual(readdirSync(join(napi, 'linux')), ['x64']);
  });

  it('never ships TensorFlow.js, and ships no node_modules where nothing native is imported', () => {
    for (const size of sizes.values()) {
      assert.ok(!size.nodeModules.some((name) => name.startsWith('@tensorflow')), size.route);
      assert.ok(
        !readFileSync(join(size.assetDir, 'index.mjs'), 'utf8').includes('@tensorflow/tfjs'),
        size.route,
      );
    }
    assert.deepEqual(asset('healthz').nodeModules, []);
    // The run records are JSON read from S3: no onnxruntime, no model.
    assert.deepEqual(asset('runs').nodeModules, []);
    assert.deepEqual(asset('heldout').nodeModules, []);
  });

  it('puts conf/ beside every handler', () => {
    for (const size of sizes.values()) {
      assert.ok(existsSync(join(size.assetDir, 'conf', 'base', 'parameters.json')), size.route);
    }
  });

  it('loads in node as Lambda loads it, onnxruntime-node included, and answers /healthz', () => {
    // Arrange: what the function sees in Lambda, with conf/ where MUR_CONF_DIR says.
    const environment = (dir: string): NodeJS.ProcessEnv => ({
      PATH: process.env['PATH'],
      MUR_CONF_DIR: join(dir, 'conf'),
      MUR_ENV: 'base',
      MODEL_BUCKET: 'test-models',
      // As the stack sets it on model-loading functions; the public key is fetched on the first load, not at init.
      MODEL_SIGNING_KEY: 'kms:arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000',
      AWS_REGION: 'eu-west-1',
    });
    const run = (dir: string, code: string): string => {
      const result = spawnSync(
        process.execPath,
        ['--enable-source-maps', '--input-type=module', '-e', code],
        {
          cwd: dir,
          env: environment(dir),
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      assert.equal(result.status, 0, `${dir}: ${result.stderr.slice(-2000)}`);
      return result.stdout;
    };

    // Act
    const predict = run(
      asset('predict').assetDir,
      "const m = await import('./index.mjs'); const ort = await import('onnxruntime-node');" +
        'console.log(typeof m.handler, typeof ort.InferenceSession.create);',
    );
    const healthz = run(
      asset('healthz').assetDir,
      "const { handler } = await import('./index.mjs');" +
        "const response = await handler({ httpMethod: 'GET', path: '/healthz', resource: '/healthz', headers: {}," +
        ' multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null,' +
        " pathParameters: null, stageVariables: null, body: null, isBase64Encoded: false, requestContext: { requestId: 'r1'," +
        " httpMethod: 'GET', resourcePath: '/healthz', path: '/v1/healthz', stage: 'v1' } }," +
        " { awsRequestId: 'r1', functionName: 'healthz', getRemainingTimeInMillis: () => 1000 });" +
        'console.log(JSON.stringify({ status: response.statusCode }));',
    );

    // Assess
    // The entry's init logs its runtime as a JSON line first (the Lambda init phase); the probe's line is last.
    assert.equal(predict.trim().split('\n').at(-1), 'function function');
    assert.match(healthz, /\{"status":200\}/);
  });
});

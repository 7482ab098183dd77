import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import {
  FUNCTION_ESBUILD,
  LEFT_OUT_MODULES,
  SHIMMED_BUILTINS,
  builtinShimPath,
} from '../../../infra/bundling/function-esbuild.js';
import { vendoredLoaderPath } from '../../../infra/bundling/finish-bundle.js';

const require = createRequire(import.meta.url);

describe('FUNCTION_ESBUILD aliases', () => {
  it('reach every shimmed built-in, under both spellings, as the very module Node holds', () => {
    assert.ok(SHIMMED_BUILTINS.includes('http') && SHIMMED_BUILTINS.includes('fs/promises'));
    for (const name of SHIMMED_BUILTINS) {
      const shim = builtinShimPath(name);
      assert.equal(FUNCTION_ESBUILD.alias[name], shim, name);
      assert.equal(FUNCTION_ESBUILD.alias[`node:${name}`], shim, name);
      assert.equal(require(shim), process.getBuiltinModule(`node:${name}`), name);
    }
  });

  it('give each left-out module a stub that says what was left out and where, when called', async () => {
    for (const [name, stub] of Object.entries(LEFT_OUT_MODULES)) {
      assert.ok(existsSync(FUNCTION_ESBUILD.alias[name] ?? ''), `${name} -> ${stub}`);
    }
    const ws = (await import(FUNCTION_ESBUILD.alias['ws'] ?? '')) as { default: new () => unknown };
    assert.throws(
      () => new ws.default(),
      /^Error: ws \(ccxt pro's websockets\) is left out of the Lambda functions' bundles: remove it from LEFT_OUT_MODULES in infra\/bundling\/function-esbuild\.ts/,
    );
  });

  it('give the left-out curves objects that may be referenced, awaited and printed, and throw when used', async () => {
    const { ed25519 } = (await import(FUNCTION_ESBUILD.alias['@noble/curves/ed25519.js'] ?? '')) as {
      ed25519: { getPublicKey(key: Uint8Array): Uint8Array };
    };
    const table = { ed25519 };

    assert.equal(await Promise.resolve(table.ed25519), ed25519);
    assert.equal(typeof String(Object.keys(table)), 'string');
    assert.throws(
      () => ed25519.getPublicKey(new Uint8Array(32)),
      /^Error: @noble\/curves\/ed25519\.js \(Ed25519 signing of private requests\) is left out/,
    );
  });

  it('load onnxruntime-node through its loader, with the same classes as the package', async () => {
    assert.equal(FUNCTION_ESBUILD.alias['onnxruntime-node'], vendoredLoaderPath('onnxruntime-node'));
    const loaded = (await import(vendoredLoaderPath('onnxruntime-node'))) as Record<string, unknown>;
    const ort = require('onnxruntime-node') as Record<string, unknown>;
    for (const name of ['InferenceSession', 'Tensor', 'env', 'listSupportedBackends']) {
      assert.ok(loaded[name] !== undefined, name);
      assert.equal(loaded[name], ort[name], name);
    }
  });
});

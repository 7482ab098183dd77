import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { restrictedImports } from './support.js';

describe('lint: the import direction', () => {
  it('fails when core/ imports from a layer above it, and passes on an import within core', async () => {
    const bad = await restrictedImports(
      "import { trainPair } from '../../training-image/src/pipeline/train-pair.js';\nexport const x = trainPair;\n",
      'core/features/fixture.ts',
    );
    assert.equal(bad.length, 1);
    assert.match(bad[0] ?? '', /core\/ is the bottom layer/);
    for (const upper of [
      '../../adapters/storage/store.js',
      '../../serving/predictor.js',
      '../../functions/presenters.js',
      '../../infra/lib/monitoring.js',
      '../../local/stack.js',
    ]) {
      const messages = await restrictedImports(`export * from '${upper}';\n`, 'core/metrics/fixture.ts');
      assert.equal(messages.length, 1, upper);
    }
    // A type-only import is still an import against the direction.
    assert.equal(
      (
        await restrictedImports(
          "import type { Log } from '../../training-image/src/log.js';\nexport type L = Log;\n",
          'core/fixture.ts',
        )
      ).length,
      1,
    );

    const good = await restrictedImports(
      "import { FEATURE_NAMES } from '../features/index.js';\nexport const names = FEATURE_NAMES;\n",
      'core/metrics/fixture.ts',
    );
    assert.deepEqual(good, []);
  });

  it('keeps adapters/ on core/ and serving/ on both, below everything that uses them', async () => {
    const adapterUp = await restrictedImports(
      "export { Predictor } from '../../serving/predictor.js';\n",
      'adapters/storage/fixture.ts',
    );
    assert.match(adapterUp[0] ?? '', /adapters\/ sit on core\/ only/);
    const servingUp = await restrictedImports(
      "export { logger } from '../functions/logger.js';\n",
      'serving/fixture.ts',
    );
    assert.match(servingUp[0] ?? '', /serving\/ sits on core\/ and adapters\//);
    assert.deepEqual(
      await restrictedImports(
        "export { ArtifactStore } from '../adapters/storage/store.js';\nexport { pairSlug } from '../core/artifacts/layout.js';\n",
        'serving/fixture.ts',
      ),
      [],
    );
  });

  it('fails when functions/ imports TensorFlow.js, the training image or the local stack', async () => {
    const tf = await restrictedImports(
      "import * as tf from '@tensorflow/tfjs';\nexport const t = tf;\n",
      'functions/fixture.ts',
    );
    const training = await restrictedImports(
      "import { createLog } from '../training-image/src/log.js';\nexport const c = createLog;\n",
      'functions/fixture.ts',
    );
    const local = await restrictedImports("export * from '../local/stack.js';\n", 'functions/fixture.ts');
    assert.match(tf[0] ?? '', /never loads TensorFlow\.js/);
    assert.equal(training.length, 1);
    assert.equal(local.length, 1);
    assert.deepEqual(
      await restrictedImports(
        "import { ArtifactStore } from '../adapters/storage/store.js';\nexport const a = ArtifactStore;\n",
        'functions/fixture.ts',
      ),
      [],
    );
  });

  it('lets only the market adapter (ccxt-source.ts, exchange-classes.ts) import ccxt', async () => {
    const code = "import { exchanges } from 'ccxt';\nexport const e = exchanges;\n";
    assert.equal((await restrictedImports(code, 'functions/fixture.ts')).length, 1);
    assert.equal((await restrictedImports(code, 'serving/fixture.ts')).length, 1);
    assert.equal((await restrictedImports(code, 'adapters/storage/fixture.ts')).length, 1);
    assert.equal(
      (await restrictedImports("export * from 'ccxt/js/src/binance.js';\n", 'functions/fixture.ts')).length,
      1,
    );
    assert.deepEqual(await restrictedImports(code, 'adapters/market/ccxt-source.ts'), []);
    assert.deepEqual(await restrictedImports(code, 'adapters/market/exchange-classes.ts'), []);
  });

  it('lets only the inference adapter import onnxruntime-node', async () => {
    const code = "import * as ort from 'onnxruntime-node';\nexport const o = ort;\n";
    assert.equal((await restrictedImports(code, 'serving/fixture.ts')).length, 1);
    assert.equal((await restrictedImports(code, 'functions/fixture.ts')).length, 1);
    assert.equal((await restrictedImports(code, 'adapters/storage/fixture.ts')).length, 1);
    assert.deepEqual(await restrictedImports(code, 'adapters/inference/fixture.ts'), []);
  });
});

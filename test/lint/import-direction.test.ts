import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from '../support/run-cli.js';

/**
 * The project's own ESLint configuration, run through ESLint's Node API on source text placed (virtually)
 * at a path in a layer: the rules apply by path, and no file is written into the tree.
 */
const eslint = new ESLint({ cwd: ROOT });

async function restrictedImports(code: string, path: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  assert.ok(result, 'ESLint linted the text');
  assert.equal(result.fatalErrorCount, 0, JSON.stringify(result.messages));
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint: the import direction', () => {
  it('fails when core/ imports from an upper layer, and passes on an import within core', async () => {
    const bad = await restrictedImports(
      "import { trainPair } from '../../training-image/src/pipeline/train-pair.js';\nexport const x = trainPair;\n",
      'core/features/fixture.ts',
    );
    assert.equal(bad.length, 1);
    assert.match(bad[0] ?? '', /core\/ is the bottom layer/);
    for (const upper of [
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

  it('fails when functions/ imports TensorFlow.js or the training image', async () => {
    const tf = await restrictedImports(
      "import * as tf from '@tensorflow/tfjs';\nexport const t = tf;\n",
      'functions/fixture.ts',
    );
    const training = await restrictedImports(
      "import { createLog } from '../training-image/src/log.js';\nexport const c = createLog;\n",
      'functions/fixture.ts',
    );
    assert.match(tf[0] ?? '', /never loads TensorFlow\.js/);
    assert.equal(training.length, 1);
    assert.deepEqual(
      await restrictedImports(
        "import { ArtifactStore } from '../core/artifacts/index.js';\nexport const a = ArtifactStore;\n",
        'functions/fixture.ts',
      ),
      [],
    );
  });

  it('lets only the market adapter (ccxt-source.ts, exchange-classes.ts) import ccxt', async () => {
    const code = "import { exchanges } from 'ccxt';\nexport const e = exchanges;\n";
    assert.equal((await restrictedImports(code, 'functions/fixture.ts')).length, 1);
    assert.equal((await restrictedImports(code, 'core/predictor/fixture.ts')).length, 1);
    assert.equal(
      (await restrictedImports("export * from 'ccxt/js/src/binance.js';\n", 'functions/fixture.ts')).length,
      1,
    );
    assert.deepEqual(await restrictedImports(code, 'core/market/ccxt-source.ts'), []);
    assert.deepEqual(await restrictedImports(code, 'core/market/exchange-classes.ts'), []);
  });
});

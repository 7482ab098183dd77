import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newVersion } from '../../../core/artifacts/index.js';
import { MetricsSchema } from '../../../core/metrics/index.js';
import type { Log, LogFields } from '../../../training-image/src/log.js';
import { publishModel } from '../../../training-image/src/pipeline/publish.js';
import { SCALER, metricsJson, startStore, type TestStore } from '../../serving/support.js';
import { smallConfig } from '../../support/small-config.js';

const PAIR = 'BTC/USDT';

/** A log that keeps every warning. */
function recordingLog(): Log & { readonly warnings: { event: string; fields?: LogFields }[] } {
  const warnings: { event: string; fields?: LogFields }[] = [];
  return {
    warnings,
    info: () => {},
    warn: (event, _message, fields) => warnings.push({ event, ...(fields === undefined ? {} : { fields }) }),
    error: () => {},
  };
}

describe('publishModel', () => {
  let test: TestStore;
  before(async () => {
    test = await startStore();
  });
  after(async () => {
    await test.close();
  });

  it('succeeds with a warning when pruning fails after the version went live', async () => {
    // Arrange: one version published, keep_versions 1 so the next publish prunes it, and a store whose
    // deletes fail on the wire (the S3 client's middleware), as a storage fault after the publish would.
    const config = smallConfig({ storage: { keep_versions: 1 } });
    const publish = (version: string, log: Log) =>
      publishModel({
        store: test.store,
        config,
        pair: PAIR,
        version,
        onnx: new Uint8Array([1, 2, 3]),
        scaler: SCALER,
        metrics: MetricsSchema.parse(metricsJson(PAIR, version, 12, {})),
        log,
      });
    const first = newVersion(new Date(Date.UTC(2026, 10, 26, 8)));
    await publish(first, recordingLog());
    test.store.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteObjectCommand') throw new Error('injected: delete refused');
        return next(args);
      },
      { step: 'initialize', name: 'refuseDeletes' },
    );
    const second = newVersion(new Date(Date.UTC(2026, 10, 26, 9)));
    const log = recordingLog();

    // Act
    const published = await publish(second, log);

    // Assess: the new version is live, the old one is still there, and the failure was a warning
    assert.equal(published.manifest.version, second);
    assert.equal(published.promoted, true);
    assert.equal((await test.store.readLatest(PAIR))?.version, second);
    assert.deepEqual(await test.store.listVersions(PAIR), [first, second]);
    assert.deepEqual(
      log.warnings.map((w) => w.event),
      ['prune_failed'],
    );
    assert.match(String(log.warnings[0]?.fields?.['reason']), /injected: delete refused/);
  });
});

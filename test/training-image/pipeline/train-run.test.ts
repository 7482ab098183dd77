import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ArtifactStore } from '../../../adapters/storage/index.js';
import type { Config, Pair } from '../../../core/config/index.js';
import { ForecastDistributionSchema } from '../../../core/distribution/index.js';
import { MetricsSchema } from '../../../core/metrics/index.js';
import { CcxtCandleSource } from '../../../adapters/market/index.js';
import { hourlyPredictor } from '../../serving/support.js';
import { silentLog } from '../../../training-image/src/log.js';
import type { RunRecords } from '../../../adapters/storage/run-records.js';
import { NETWORK_SUBJECT } from '../../../core/runs/run-record.js';
import { thisMachine } from '../../../training-image/src/runs/machine.js';
import { RunRecorder } from '../../../training-image/src/runs/recorder.js';
import { trainRun, type TrainRunResult } from '../../../training-image/src/pipeline/train-run.js';
import { startTrainingWorld, type TrainingWorld } from '../training-world.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const TRAINED: readonly Pair[] = ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT'];
/** Not listed by the fake exchange: its candles fail, and the run goes on without it. */
const MISSING: Pair = 'DOGE/USDT';

describe('trainRun: every pair, one shared scale network, each pair published with the scale it won', () => {
  let world: TrainingWorld;
  let config: Config;
  let store: ArtifactStore;
  let run: TrainRunResult;
  let records: RunRecords;

  before(async () => {
    world = await startTrainingWorld({
      name: 'train-run',
      seed: 5,
      config: { pairs: [...TRAINED], distribution: { network: { members: 2, max_epochs: 3 } } },
    });
    ({ config, store, records } = world);
    const { backend } = world;
    const recorder = new RunRecorder({ records, config, machine: thisMachine(backend), log: silentLog });
    run = await trainRun({
      config,
      pairs: [TRAINED[0]!, MISSING, ...TRAINED.slice(1)],
      store,
      backend,
      log: silentLog,
      recorder,
    });
  });

  after(async () => {
    await world?.close();
  });

  it('names the pair whose candles failed, and publishes the others in the order given', () => {
    assert.deepEqual(
      run.outcomes.map((o) => [o.pair, o.status]),
      [
        ['BTC/USDT', 'published'],
        [MISSING, 'failed'],
        ['ETH/USDT', 'published'],
        ['CHZ/USDT', 'published'],
      ],
    );
    const failed = run.outcomes[1];
    assert.ok(failed?.status === 'failed');
    assert.match(failed.reason, /DOGE/);
  });

  it('trains one network on the pairs that had candles, checked against ONNX on every pair', () => {
    assert.equal(run.networkFailure, null);
    assert.ok(run.network !== null);
    assert.deepEqual(run.network.network.trained_on, TRAINED);
    assert.equal(run.network.network.members, 2);
    assert.equal(run.network.bestEpochs.length, 2);
    assert.ok(run.network.parity.windows >= TRAINED.length, `${run.network.parity.windows} parity windows`);
    assert.ok(run.network.parity.maxAbsError <= config.conversion.atol);
    assert.equal(run.network.network.sha256, sha256(run.network.onnx));
  });

  it("publishes each pair's choice with both validation figures, and the network's graph where it won", async () => {
    const network = run.network;
    assert.ok(network !== null);
    for (const pair of TRAINED) {
      const latest = await store.readLatest(pair);
      assert.ok(latest !== null, `${pair} published`);
      const manifest = await store.readManifest(pair, latest.version);
      const metrics = MetricsSchema.parse(
        JSON.parse(new TextDecoder().decode(await store.readFile(manifest, 'metrics.json'))),
      );
      const selection = metrics.distribution?.selection;
      assert.ok(selection != null, `${pair}: the choice is in metrics.json`);
      assert.ok(selection.network_val_crps_bp > 0 && selection.linear_val_crps_bp > 0);
      const better =
        selection.network_val_crps_bp < selection.linear_val_crps_bp ? 'shared_network' : 'linear';
      assert.equal(selection.served, better, `${pair}: the lower validation CRPS serves`);
      const distribution = ForecastDistributionSchema.parse(
        JSON.parse(
          new TextDecoder().decode(
            (await store.readOptionalFile(manifest, 'distribution.json')) ?? new Uint8Array(),
          ),
        ),
      );
      assert.deepEqual(distribution.selection, selection);
      const scaleOnnx = await store.readOptionalFile(manifest, 'scale.onnx');
      if (selection.served === 'shared_network') {
        assert.equal(distribution.scale.kind, 'shared_network');
        assert.ok(scaleOnnx !== null, `${pair}: the version carries the network it serves`);
        assert.equal(sha256(scaleOnnx), network.network.sha256);
        assert.equal(metrics.distribution?.scale, 'shared_network');
      } else {
        assert.equal(distribution.scale.kind, 'linear');
        assert.equal(scaleOnnx, null, `${pair}: no graph it does not serve`);
      }
    }
  });

  it('serves every published pair with the scale its version chose, and says which', async () => {
    const predictor = hourlyPredictor({
      store: ArtifactStore.fromConfig(config.storage),
      candles: new CcxtCandleSource(config.exchange, { timeframe: '1h' }),
      pairs: [...TRAINED],
    });
    try {
      for (const pair of TRAINED) {
        const answer = await predictor.predict(pair);
        const chosen = run.network?.pairs.get(pair)?.choice.served;
        assert.equal(answer.model.distribution.scale, chosen, pair);
        assert.equal(answer.model.distribution.selection?.served, chosen, pair);
        assert.ok(answer.distribution.scale > 0 && Number.isFinite(answer.distribution.scale));
        if (chosen === 'shared_network') {
          assert.equal(answer.model.distribution.network?.trainedOnThisPair, true);
        }
      }
    } finally {
      await predictor.close();
    }
  });
  it('leaves a record of every pair, failed or published, and of the network, with what each served', async () => {
    for (const pair of TRAINED) {
      const [record] = (await records.list({ subject: pair, last: 1 })).records;
      assert.ok(record !== undefined, `${pair} has a record`);
      assert.equal(record.outcome.status, 'published');
      const chosen = run.network?.pairs.get(pair)?.choice.served;
      assert.equal(record.scale_choice?.served, chosen, pair);
      const heldOut = await records.readHeldOut(pair, record.run_id);
      assert.ok(heldOut !== null && heldOut.hours.length > 0, `${pair}: its held-out hours`);
    }
    const [failed] = (await records.list({ subject: MISSING, last: 1 })).records;
    assert.equal(failed?.outcome.status, 'failed');
    const [network] = (await records.list({ subject: NETWORK_SUBJECT, last: 1 })).records;
    assert.equal(network?.outcome.status, 'published');
    assert.ok((network?.training?.epochs.length ?? 0) > 0, 'the network record has its learning curve');
  });
});

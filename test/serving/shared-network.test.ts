import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ArtifactStore } from '../../adapters/storage/index.js';
import { DEFAULT_SCALE_INPUTS } from '../../core/distribution/index.js';
import { HOUR_MS, type Candle } from '../../core/market/index.js';
import { PredictResponseSchema } from '../../functions/schemas/predict.js';
import { predictResponse } from '../../functions/presenters.js';
import { UNKNOWN_PAIR_REASONS, UnknownPairError } from '../../serving/errors.js';
import type { Predictor } from '../../serving/predictor.js';
import { exportScaleNetworkToOnnx } from '../../training-image/src/onnx/scale-export.js';
import { predictLogScale, standardise, type Standardiser } from '../../training-image/src/scale/fit.js';
import { ScaleNetwork, type ScaleMemberWeights } from '../../training-image/src/scale/network.js';
import { scaleWindows } from '../../training-image/src/scale/windows.js';
import { selectBackend } from '../../training-image/src/tf/backend.js';
import { testSigningKey } from '../support/signing.js';
import {
  BUCKET,
  CANDLES,
  MemoryCandles,
  NOW,
  publishSynthetic,
  startStore,
  type TestStore,
  hourlyPredictor,
} from './support.js';
import {
  HOURS,
  WINDOW,
  candleStandardiser,
  networkSpec,
  randomMembers,
  servingNetwork,
} from './scale-network-fixture.js';

const PAIR = 'BTC/USDT';
/** Configured, never trained: not in the network's trained_on, no version of its own. */
const NEW_PAIR = 'SOL/USDT';

describe('serving a version whose distribution is the shared scale network', () => {
  let t: TestStore;
  let members: ScaleMemberWeights[];
  let standardiser: Standardiser;
  let onnx: Uint8Array;
  const predictors: Predictor[] = [];
  let prefixes = 0;

  /** A store under a prefix of its own: each case's versions are the only ones its predictor sees. */
  const ownStore = (): ArtifactStore =>
    new ArtifactStore({
      client: t.store.client,
      bucket: BUCKET,
      prefix: `shared-${(prefixes += 1)}/`,
      key: testSigningKey(),
    });

  const predictor = (store: ArtifactStore, pairs: readonly string[] = [PAIR]): Predictor => {
    const created = hourlyPredictor({ store, candles: new MemoryCandles(), pairs, now: () => NOW });
    predictors.push(created);
    return created;
  };

  before(async () => {
    await selectBackend('cpu');
    t = await startStore();
    members = randomMembers();
    standardiser = candleStandardiser();
    onnx = exportScaleNetworkToOnnx(members, standardiser);
  });

  after(async () => {
    for (const p of predictors) await p.close();
    await t.close();
  });

  it('answers with the scale TensorFlow.js gives the training windows, and says the network serves', async () => {
    // Prepare: the version, and what training computes for the same last window (the training-side
    // windows need the next candle for their target: one more, which no input reads)
    const store = ownStore();
    const network = networkSpec(onnx);
    const published = await publishSynthetic(store, PAIR, {
      distribution: servingNetwork(network),
      scaleOnnx: onnx,
    });
    const last = CANDLES[CANDLES.length - 1] as Candle;
    const withNext = [...CANDLES, { ...last, openTime: last.openTime + HOUR_MS }];
    const windows = scaleWindows(
      withNext,
      { first: CANDLES.length - 1, count: 1 },
      {
        windowLength: WINDOW,
        hours: HOURS,
        inputs: DEFAULT_SCALE_INPUTS,
      },
    );
    const networks = members.map((w) => ScaleNetwork.fromWeights(w));
    const logScale = predictLogScale(networks, windows, standardise(windows, standardiser))[0] as number;
    for (const n of networks) n.dispose();
    const expected = (windows.sigmaB1[0] as number) * Math.exp(logScale);

    // Act
    const answer = await predictor(store).predict(PAIR);

    // Assess
    assert.equal(answer.model.version, published.version);
    assert.ok(
      Math.abs(answer.distribution.scale / expected - 1) < 1e-5,
      `served scale ${answer.distribution.scale}, training computes ${expected}`,
    );
    assert.ok(
      Math.abs(expected / (windows.sigmaB1[0] as number) - 1) > 1e-3,
      'the network moves the scale off B1',
    );
    const summary = answer.model.distribution;
    assert.equal(summary.scale, 'shared_network');
    assert.deepEqual(summary.selection, {
      served: 'shared_network',
      network_val_crps_bp: 41.5,
      linear_val_crps_bp: 42,
    });
    assert.deepEqual(summary.network, {
      run: network.run,
      trainedOn: [PAIR, 'ETH/USDT'],
      trainedOnThisPair: true,
      calibration: 'own',
    });
  });

  it('serves a pair the network never saw, with no version of its own, by the network with the pooled calibration, and says so', async () => {
    // Prepare: BTC's version serves the network (its own calibration: none); SOL has no version at all.
    // MemoryCandles gives every pair the same candles, so SOL's scale is BTC's times the pooled multiplier.
    const store = ownStore();
    const pooled = {
      ...networkSpec(onnx).pooled_calibration,
      scale: 1.3,
      levels: [{ level: 0.9, multiplier: 1.3 }],
    };
    const network = { ...networkSpec(onnx), pooled_calibration: pooled };
    const donor = await publishSynthetic(store, PAIR, {
      distribution: servingNetwork(network),
      scaleOnnx: onnx,
    });
    const served = predictor(store, [PAIR, NEW_PAIR]);

    // Act
    const own = await served.predict(PAIR);
    const borrowed = await served.predict(NEW_PAIR);

    // Assess: the answer, and what the API says of it
    assert.ok(Math.abs(borrowed.distribution.scale / (own.distribution.scale * 1.3) - 1) < 1e-9);
    assert.equal(borrowed.next.close, borrowed.last.close, 'no point model of its own: no change');
    assert.equal(borrowed.change.absolute, 0);
    assert.equal(borrowed.scaledClose, null);
    assert.ok(borrowed.distribution.quantiles.p05 < borrowed.distribution.quantiles.p95);
    const body = PredictResponseSchema.parse(predictResponse(borrowed));
    assert.equal(body.pair, NEW_PAIR);
    assert.deepEqual(body.model.borrowed_from, { pair: PAIR, version: donor.version });
    assert.equal(body.model.version, donor.version);
    assert.equal(body.model.metrics, null);
    assert.equal(body.model.skill, null);
    assert.deepEqual(body.model.distribution.network, {
      run: network.run,
      trained_on: [PAIR, 'ETH/USDT'],
      trained_on_this_pair: false,
      calibration: 'pooled',
    });
    assert.equal(body.model.distribution.selection, null, 'no choice was made for this pair');
    assert.equal(body.model.distribution.measured, null, 'nothing was measured on this pair');
    assert.equal(PredictResponseSchema.parse(predictResponse(own)).model.borrowed_from, null);
    const listed = await served.status();
    assert.deepEqual(
      listed.map((status) => [status.pair, status.ok && status.model.borrowedFrom?.pair]),
      [
        [PAIR, undefined],
        [NEW_PAIR, PAIR],
      ],
      'the models listing shows the pair served on loan',
    );
  });

  it("replaces the borrowed network by the pair's own first version, even one with the donor's version id", async () => {
    // Prepare: SOL served on loan, then its own run publishes under the same version id as BTC's
    const store = ownStore();
    const donor = await publishSynthetic(store, PAIR, {
      distribution: servingNetwork(networkSpec(onnx)),
      scaleOnnx: onnx,
    });
    const served = predictor(store, [PAIR, NEW_PAIR]);
    assert.notEqual((await served.predict(NEW_PAIR)).model.borrowedFrom, null);
    await publishSynthetic(store, NEW_PAIR, { version: donor.version });

    // Act
    const [, reloaded] = await served.reload();
    const answer = await served.predict(NEW_PAIR);

    // Assess
    assert.equal(reloaded?.changed, true);
    assert.equal(answer.model.borrowedFrom, null);
    assert.equal(answer.model.version, donor.version);
    assert.equal(answer.model.distribution.scale, 'b1', "its own version's distribution");
    assert.notEqual(answer.model.metrics, null);
    assert.equal(typeof answer.scaledClose, 'number');
  });

  it('leaves a pair with no version unknown when no served version carries the network', async () => {
    // Prepare: BTC serves B1 only: nothing to lend
    const store = ownStore();
    await publishSynthetic(store, PAIR);

    const served = predictor(store, [PAIR, NEW_PAIR]);

    // Act, Assess
    assert.deepEqual(
      (await served.status()).map((status) => status.pair),
      [PAIR],
      'not listed: nothing serves it',
    );
    await assert.rejects(
      served.predict(NEW_PAIR),
      (error: unknown) =>
        error instanceof UnknownPairError && error.reason === UNKNOWN_PAIR_REASONS.notPublished,
    );
  });

  it('refuses a version that names the network without carrying scale.onnx, and keeps serving the one before', async () => {
    // Prepare: a good version, then one without the graph its distribution names
    const store = ownStore();
    const good = await publishSynthetic(store, PAIR, {
      distribution: servingNetwork(networkSpec(onnx)),
      scaleOnnx: onnx,
    });
    const served = predictor(store);
    await served.predict(PAIR);
    await publishSynthetic(store, PAIR, { distribution: servingNetwork(networkSpec(onnx)) });

    // Act
    const [reloaded] = await served.reload();
    const answer = await served.predict(PAIR);

    // Assess
    assert.equal(answer.model.version, good.version);
    assert.match(String(reloaded?.error), /has no scale\.onnx/);
    await assert.rejects(
      predictor(store).predict(PAIR),
      /scale\.onnx: the distribution serves the shared network, the version has no scale\.onnx/,
    );
  });

  it('refuses a scale.onnx other than the one distribution.json names', async () => {
    // Prepare: another graph (the members swapped), published beside the first graph's spec
    const store = ownStore();
    const other = exportScaleNetworkToOnnx([members[1]!, members[0]!], standardiser, {
      docString: 'another',
    });
    await publishSynthetic(store, PAIR, {
      distribution: servingNetwork(networkSpec(onnx)),
      scaleOnnx: other,
    });

    // Act, Assess
    await assert.rejects(predictor(store).predict(PAIR), /scale\.onnx.*distribution\.json names sha256/s);
  });
});

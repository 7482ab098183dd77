import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ArtifactStore } from '../../../adapters/storage/index.js';
import { RunRecords } from '../../../adapters/storage/run-records.js';
import type { Config } from '../../../core/config/index.js';
import { MetricsSchema } from '../../../core/metrics/index.js';
import { newVersion } from '../../../core/artifacts/layout.js';
import { heldOutCoverage } from '../../../core/runs/heldout-coverage.js';
import { NETWORK_SUBJECT } from '../../../core/runs/run-record.js';
import { createLog, silentLog, type Log } from '../../../training-image/src/log.js';
import { SkillGateError } from '../../../training-image/src/pipeline/errors.js';
import { trainPair } from '../../../training-image/src/pipeline/train-pair.js';
import { thisMachine } from '../../../training-image/src/runs/machine.js';
import { RunRecorder } from '../../../training-image/src/runs/recorder.js';
import type { BackendInfo } from '../../../training-image/src/tf/backend.js';
import { deadEndpoint } from '../../functions/support.js';
import { startTrainingWorld, type TrainingWorld } from '../training-world.js';

const PAIR = 'BTC/USDT';

/** A log that keeps its lines, to read what the recorder said. */
function keptLog(): { log: Log; lines: string[] } {
  const lines: string[] = [];
  return { log: createLog('json', (line) => lines.push(line)), lines };
}

describe('RunRecorder around real training runs', () => {
  let world: TrainingWorld;
  let backend: BackendInfo;
  let config: Config;
  let store: ArtifactStore;
  let records: RunRecords;

  before(async () => {
    world = await startTrainingWorld({ name: 'run-records', seed: 11 });
    ({ backend, config, store, records } = world);
  });

  after(async () => {
    await world?.close();
  });

  function recorderFor(runConfig: Config, log: Log = silentLog, runs = records): RunRecorder {
    return new RunRecorder({ records: runs, config: runConfig, machine: thisMachine(backend), log });
  }

  it('records a published run with its epochs, its figures as metrics.json has them, and its held-out hours', async () => {
    // Act
    const result = await recorderFor(config).run(PAIR, (observer) =>
      trainPair({ config, pair: PAIR, store, backend, log: silentLog, observer }),
    );

    // Assess
    const record = await records.read(PAIR, result.version);
    const manifest = await store.readManifest(PAIR, result.version);
    const metrics = MetricsSchema.parse(
      JSON.parse(new TextDecoder().decode(await store.readFile(manifest, 'metrics.json'))),
    );
    assert.deepEqual(record.outcome, { status: 'published', promoted: true, not_promoted_because: null });
    assert.equal(record.version, result.version);
    assert.deepEqual(
      record.training?.epochs.map((e) => [e.epoch, e.train_loss, e.val_loss]),
      metrics.history.map((e) => [e.epoch, e.train_loss, e.val_loss]),
    );
    assert.equal(record.training?.best_epoch, metrics.training.best_epoch);
    assert.equal(record.figures.validation.loss, metrics.losses.val);
    assert.equal(record.figures.test.point?.mae, metrics.test.mae);
    assert.equal(record.figures.test.point?.naive_mae, metrics.test.naive_mae);
    assert.deepEqual(record.figures.test.distribution, metrics.distribution);
    assert.equal(record.data?.windows.test, metrics.data.test_windows);
    assert.deepEqual(record.data?.source, metrics.data.source);
    assert.equal(record.machine.backend.name, backend.name);
    assert.equal(record.scale_choice?.served, config.distribution.scale);
    assert.deepEqual(record.settings['training'], JSON.parse(JSON.stringify(config.training)));
    assert.ok(record.duration_seconds > 0);
    // The held-out hours are the windows metrics.json scored: as many, and as often inside the 90% band.
    const heldOut = await records.readHeldOut(PAIR, result.version);
    assert.ok(heldOut !== null);
    assert.equal(heldOut.hours.length, metrics.distribution?.windows.test);
    assert.equal(record.heldout_hours, heldOut.hours.length);
    const coverage = heldOutCoverage(heldOut.hours);
    assert.ok(
      Math.abs(coverage.i90_pct - (metrics.distribution?.model.coverage_pct.i90 ?? -1)) < 1e-9,
      `90% coverage ${coverage.i90_pct} as scored`,
    );
  });

  it('records a run a gate refused, with its reason, its learning curve and its held-out hours, and rethrows', async () => {
    // Prepare: a promotion gate no model passes (a skill of 1 is a perfect forecast)
    const gated: Config = { ...config, validation: { ...config.validation, min_skill: 1 } };
    const before = await records.list({ subject: 'ETH/USDT' });

    // Act
    await assert.rejects(
      recorderFor(gated).run('ETH/USDT', (observer) =>
        trainPair({ config: gated, pair: 'ETH/USDT', store, backend, log: silentLog, observer }),
      ),
      SkillGateError,
    );

    // Assess
    const after = await records.list({ subject: 'ETH/USDT' });
    assert.equal(after.records.length, before.records.length + 1);
    const record = after.records[0]!;
    assert.equal(record.outcome.status, 'refused');
    assert.ok(record.outcome.status === 'refused');
    assert.equal(record.outcome.gate, 'promotion');
    assert.match(
      record.outcome.reason,
      /promotion gate failed: test skill .* is under validation\.min_skill 1/,
    );
    assert.equal(record.version, null);
    assert.ok((record.training?.epochs.length ?? 0) >= 1, 'the epochs it trained');
    assert.ok(record.figures.test.point !== null && record.figures.test.distribution !== null);
    assert.ok((await records.readHeldOut('ETH/USDT', record.run_id))?.hours.length);
    assert.equal(await store.readLatest('ETH/USDT'), null, 'nothing was published');
  });

  it('records a run that failed before training, with the error as its reason', async () => {
    // Prepare: an exchange that is not there
    const offline: Config = {
      ...config,
      exchange: { ...config.exchange, url: await deadEndpoint(), max_retries: 0, retry_base_ms: 0 },
    };

    // Act
    const failure = await recorderFor(offline)
      .run('SOL/USDT', (observer) =>
        trainPair({ config: offline, pair: 'SOL/USDT', store, backend, log: silentLog, observer }),
      )
      .then(
        () => null,
        (error: unknown) => error,
      );

    // Assess
    assert.ok(failure instanceof Error, 'the error goes on to the caller');
    const [record] = (await records.list({ subject: 'SOL/USDT' })).records;
    assert.ok(record !== undefined);
    assert.equal(record.outcome.status, 'failed');
    assert.ok(record.outcome.status === 'failed');
    assert.ok(record.outcome.reason.length > 0);
    assert.ok(record.outcome.reason.includes(failure.message.split('\n')[0]!.slice(0, 40)));
    assert.equal(record.data, null);
    assert.equal(record.training, null);
    assert.equal(record.heldout_hours, null);
  });

  it('records a run told in steps, as a pipeline that prepares and publishes apart tells it', async () => {
    // Prepare: a run told step by step, the scale chosen between two candidates
    const recorder = recorderFor(config);
    const run = recorder.begin(PAIR);
    const choice = {
      served: 'linear',
      network_val_crps_bp: 31.2,
      linear_val_crps_bp: 30.9,
      reason: 'the linear correction scored the lower validation CRPS (30.9 bp against 31.2)',
    } as const;

    // Act: trainPair stands for the prepare step here; publishing's result ends the run
    const result = await trainPair({
      config,
      pair: PAIR,
      store,
      backend,
      log: silentLog,
      observer: run,
    });
    run.scaleChosen(choice);
    const record = await run.end({ result });
    const again = await run.end({ error: new Error('late') });

    // Assess
    assert.ok(record !== null);
    assert.deepEqual(await records.read(PAIR, result.version), record);
    assert.deepEqual(record.scale_choice, choice);
    assert.equal(record.heldout_hours, (await records.readHeldOut(PAIR, result.version))?.hours.length);
    assert.equal(again, null, 'a run is recorded once');
  });

  it("records the shared network's run from parts given as they are", async () => {
    // Prepare
    const run = recorderFor(config).begin(NETWORK_SUBJECT, { lossName: 'CRPS of the Student-t (nu 5)' });
    const epochs = [
      { epoch: 1, train_loss: 0.52, val_loss: 0.55, seconds: 2 },
      { epoch: 2, train_loss: 0.5, val_loss: 0.54, seconds: 2 },
    ];
    const version = newVersion(new Date());

    // Act
    run.measured({
      training: { loss: 'CRPS of the Student-t (nu 5)', epochs, best_epoch: 2, stopped_early: false },
    });
    const record = await run.end({ result: { version, promoted: true, notPromotedBecause: null } });

    // Assess
    const [listed] = (await records.list({ subject: NETWORK_SUBJECT })).records;
    assert.deepEqual(listed, record);
    assert.deepEqual(listed?.training?.epochs, epochs);
    assert.equal(listed?.run_id, version);
    assert.equal(listed?.heldout_hours, null);
  });

  it('leaves the run as it ended when its record cannot be written, and says so', async () => {
    // Prepare: records going to a store that does not answer
    const deadStore = ArtifactStore.fromConfig(
      { ...config.storage, endpoint: await deadEndpoint() },
      { maxAttempts: 1, connectionTimeoutMs: 500, requestTimeoutMs: 1_000 },
    );
    const { log, lines } = keptLog();
    const recorder = recorderFor(config, log, RunRecords.beside(deadStore));

    // Act
    const result = await recorder.run('CHZ/USDT', (observer) =>
      trainPair({ config, pair: 'CHZ/USDT', store, backend, log: silentLog, observer }),
    );

    // Assess
    assert.equal((await store.readLatest('CHZ/USDT'))?.version, result.version, 'published as usual');
    const warning = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l['event'] === 'run_record_failed');
    assert.ok(warning, 'a warning that the record was not written');
    assert.equal(warning['run_id'], result.version);
  });
});

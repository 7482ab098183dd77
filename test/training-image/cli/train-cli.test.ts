import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ArtifactStore } from '../../../adapters/storage/index.js';
import { MODEL_PUBLISHED_FILTER } from '../../../infra/lib/monitoring.js';
import { startFakeExchange, type FakeExchange } from '../../../local/fake-exchange/index.js';
import { startS3Server, type S3Server } from '../../../local/s3-server.js';
import { TEST_SIGNING_KEY } from '../../support/signing.js';
import { newVersion } from '../../../core/artifacts/layout.js';
import { TRAINING_EXIT_CODES } from '../../../core/metrics/published-log.js';
import { publishSynthetic } from '../../serving/support.js';
import { ROOT, runTsCli, type CliRun } from '../../support/run-cli.js';
import { writeConfDir } from '../conf-dir.js';

const ENTRY = join(ROOT, 'training-image/src/cli/train.ts');

/**
 * Whether a log line is counted by a CloudWatch JSON metric filter of the one form the stack uses,
 * `{ $.field = "value" }`; any other form fails the test rather than being guessed at.
 */
function countedBy(pattern: string, line: string): boolean {
  const parts = /^\{ \$\.(\w+) = "([^"]*)" \}$/.exec(pattern);
  assert.ok(parts, `unsupported filter pattern ${pattern}`);
  if (!line.startsWith('{')) return false;
  return (JSON.parse(line) as Record<string, unknown>)[parts[1] as string] === parts[2];
}

/** The container's entry point, run with node exactly as the Dockerfile's ENTRYPOINT does. */
function runEntryPoint(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return runTsCli(ENTRY, args, env);
}

describe('training entry point (the Batch job)', () => {
  let exchange: FakeExchange;
  let s3: S3Server;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'train-cli-'));
    exchange = await startFakeExchange({ seed: 5 });
    s3 = await startS3Server({ directory: join(dir, 's3'), buckets: ['batch-models'] });
    const tiny = [
      'market: { history_days: 12 }',
      'features: { sequence_length: 12 }',
      'training: { hidden_size: 4, max_epochs: 1, train_batch_size: 32 }',
      'distribution: { network: { sequence_hours: 8, hidden_size: 4, members: 1, max_epochs: 1 } }',
    ];
    // A configuration folder with the real base and a tiny environment over it.
    const conf = await writeConfDir(dir, {
      tiny: [...tiny, 'validation: { max_mean_loss: 10 }'],
      // The same, with a promotion gate no model passes (a skill of 1 needs a perfect forecast).
      gated: [...tiny, 'validation: { max_mean_loss: 10, min_skill: 1 }'],
    });
    // What the CDK job definition and the schedule's submission set: one job, every pair in PAIRS.
    env = {
      MUR_CONF_DIR: conf,
      MUR_ENV: 'tiny',
      PAIRS: 'BTC/USDT,ETH/USDT',
      MODEL_BUCKET: 'batch-models',
      MODEL_SIGNING_KEY: TEST_SIGNING_KEY,
      S3_ENDPOINT: s3.endpoint,
      EXCHANGE_URL: exchange.url,
      LOG_FORMAT: 'json',
    };
  });

  /** The bucket the job publishes to, as its environment names it. */
  const jobStore = (options?: { keyUse: 'sign' }): ArtifactStore =>
    ArtifactStore.fromConfig(
      {
        bucket: 'batch-models',
        prefix: '',
        endpoint: s3.endpoint,
        region: 'us-east-1',
        keep_versions: 5,
        signing_key: TEST_SIGNING_KEY,
      },
      options,
    );

  after(async () => {
    await s3.close();
    await exchange.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('trains every pair of PAIRS in one process, with one shared scale network, and publishes each', async () => {
    const run = await runEntryPoint([], env);

    assert.equal(run.code, 0, run.stderr);
    const events = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { event: string; pair?: string });
    const pairs = ['BTC/USDT', 'ETH/USDT'];
    for (const pair of pairs) {
      assert.ok(
        events.some((e) => e.event === 'epoch' && e.pair === pair),
        `${pair} trained`,
      );
      assert.ok(
        events.some((e) => e.event === 'scale_selection' && e.pair === pair),
        `${pair} chose a scale`,
      );
      assert.ok(
        events.some((e) => e.event === 'published' && e.pair === pair),
        `${pair} published`,
      );
    }
    assert.equal(events.filter((e) => e.event === 'shared_network').length, 1, 'one network for both pairs');
    const store = jobStore();
    for (const pair of pairs) {
      const latest = await store.readLatest(pair);
      assert.notEqual(latest, null, `${pair} is served`);
      // Signed by the job's key: the manifest reads, which checks the signature first.
      await store.readManifest(pair, latest?.version ?? '');
    }
    // The staleness metric's filter (infra/lib/monitoring.ts) counts exactly one line per pair, naming it.
    const counted = run.stderr
      .split('\n')
      .filter((line) => countedBy(MODEL_PUBLISHED_FILTER.logPatternString, line))
      .map((line) => (JSON.parse(line) as { pair: string }).pair);
    assert.deepEqual(counted.sort(), pairs, run.stderr);
  });

  it('logs no published-model line when a newer version is live already, and says why', async () => {
    // Prepare: a version of BTC/USDT stamped half a minute ahead (within the clock skew tolerance)
    const store = jobStore({ keyUse: 'sign' });
    const ahead = newVersion(new Date(Date.now() + 30_000));
    await publishSynthetic(store, 'BTC/USDT', { version: ahead });

    // Act
    const run = await runEntryPoint(['--pair', 'BTC/USDT'], env);

    // Assess: the run succeeded, latest.json did not move, and the staleness metric counts nothing
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await store.readLatest('BTC/USDT'))?.version, ahead);
    const lines = run.stderr.split('\n').filter((line) => line.startsWith('{'));
    assert.ok(!lines.some((line) => countedBy(MODEL_PUBLISHED_FILTER.logPatternString, line)), run.stderr);
    const skipped = lines.map((line) => JSON.parse(line) as { event: string; reason?: string });
    assert.match(
      skipped.find((line) => line.event === 'not_promoted')?.reason ?? '',
      new RegExp(`a newer version, ${ahead}, is live already`),
    );
  });

  it('exits 1 with a one-line reason when a run fails', async () => {
    const run = await runEntryPoint(['--pair', 'BTC/USDT'], { ...env, EXCHANGE_URL: 'http://127.0.0.1:1' });

    assert.equal(run.code, 1);
    const failure = run.stderr.split('\n').find((line) => line.includes('"event":"failed"'));
    assert.ok(failure, run.stderr);
    assert.match(JSON.parse(failure).reason as string, /binance BTC\/USDT/);
  });

  it('exits 3 when some pairs published and others failed, naming the failed pair', async () => {
    // DOGE/USDT is not listed by the fake exchange: its candles fail, BTC/USDT still publishes
    const run = await runEntryPoint([], { ...env, PAIRS: 'BTC/USDT,DOGE/USDT' });

    assert.equal(run.code, TRAINING_EXIT_CODES.partial, run.stderr);
    const lines = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { event: string; pair?: string });
    assert.ok(
      lines.some((l) => l.event === 'failed' && l.pair === 'DOGE/USDT'),
      run.stderr,
    );
    // published (whether it went live depends on the versions earlier tests left)
    assert.ok(
      lines.some((l) => l.event === 'published' && l.pair === 'BTC/USDT'),
      run.stderr,
    );
  });

  it('exits 1 with a one-line reason naming validation.min_skill when the promotion gate blocks', async () => {
    const run = await runEntryPoint(['--pair', 'BTC/USDT'], { ...env, MUR_ENV: 'gated' });

    assert.equal(run.code, 1, run.stderr);
    const failure = run.stderr.split('\n').find((line) => line.includes('"event":"failed"'));
    assert.ok(failure, run.stderr);
    const reason = JSON.parse(failure).reason as string;
    assert.doesNotMatch(reason, /\n/);
    assert.match(reason, /validation\.min_skill 1\b.*model MAE [\d.]+, naive MAE [\d.]+/);
    assert.ok(!run.stderr.includes('"event":"published"'), 'nothing was published');
  });

  it('refuses to run as a child of an array job, before training anything', async () => {
    const run = await runEntryPoint([], { ...env, AWS_BATCH_JOB_ARRAY_INDEX: '1' });

    assert.equal(run.code, 1);
    assert.match(run.stderr, /AWS_BATCH_JOB_ARRAY_INDEX is set \(1\).*Submit a single job/);
    assert.ok(!run.stderr.includes('"event":"epoch"'), 'nothing was trained');
  });

  it('exits 2 naming the key of a bad configuration', async () => {
    const run = await runEntryPoint([], { ...env, MODEL_BUCKET: 'Not_A_Bucket' });

    assert.equal(run.code, 2);
    assert.match(run.stderr, /storage\.bucket/);
  });
});

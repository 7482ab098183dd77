import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ArtifactStore } from '../../adapters/storage/index.js';
import { RunRecords } from '../../adapters/storage/run-records.js';
import type { Config } from '../../core/config/index.js';
import type { RunRecord } from '../../core/runs/run-record.js';
import { startFakeExchange, type FakeExchange } from '../../local/fake-exchange/index.js';
import { main } from '../../local/runs/cli.js';
import { startS3Server, type S3Server } from '../../local/s3-server.js';
import { silentLog } from '../../training-image/src/log.js';
import { trainPair } from '../../training-image/src/pipeline/train-pair.js';
import { thisMachine } from '../../training-image/src/runs/machine.js';
import { RunRecorder } from '../../training-image/src/runs/recorder.js';
import { selectBackend } from '../../training-image/src/tf/backend.js';
import { deadEndpoint } from '../functions/support.js';
import { runTsCli } from '../support/run-cli.js';
import { smallConfig } from '../support/small-config.js';

/** conf/local's bucket: what the command reads by default. */
const BUCKET = 'local-models';

/** The command run in this process; its output and exit code. */
async function runs(...argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, (text) => lines.push(text));
  return { code, text: lines.join('\n') };
}

describe('npm run runs', () => {
  let dir: string;
  let s3: S3Server;
  let exchange: FakeExchange;
  let config: Config;
  let records: RunRecords;
  let published: RunRecord[];
  let refused: RunRecord;
  let failed: RunRecord;

  before(async () => {
    // Prepare: a published, a refused and a failed run, recorded by the recorder around real training
    dir = await mkdtemp(join(tmpdir(), 'runs-cli-'));
    s3 = await startS3Server({ directory: dir, buckets: [BUCKET] });
    exchange = await startFakeExchange({ seed: 5 });
    config = smallConfig({
      exchange: { url: exchange.url },
      storage: { bucket: BUCKET, prefix: '', endpoint: s3.endpoint },
    });
    const store = ArtifactStore.fromConfig(config.storage, { keyUse: 'sign' });
    records = RunRecords.beside(store);
    const backend = await selectBackend('auto');
    const recorder = (runConfig: Config): RunRecorder =>
      new RunRecorder({ records, config: runConfig, machine: thisMachine(backend), log: silentLog });
    const train = (runConfig: Config, pair: string) =>
      recorder(runConfig)
        .run(pair, (observer) =>
          trainPair({ config: runConfig, pair, store, backend, log: silentLog, observer }),
        )
        .catch(() => null);
    const slower: Config = { ...config, training: { ...config.training, learning_rate: 1e-3 } };
    await train(config, 'BTC/USDT');
    await train(slower, 'BTC/USDT');
    await train({ ...config, validation: { ...config.validation, min_skill: 1 } }, 'BTC/USDT');
    const offline: Config = {
      ...config,
      exchange: { ...config.exchange, url: await deadEndpoint(), max_retries: 0, retry_base_ms: 0 },
    };
    await train(offline, 'ETH/USDT');
    const all = (await records.list({ last: 10 })).records;
    published = all.filter((r) => r.outcome.status === 'published');
    refused = all.find((r) => r.outcome.status === 'refused') as RunRecord;
    failed = all.find((r) => r.outcome.status === 'failed') as RunRecord;
    assert.equal(published.length, 2);
    assert.ok(refused !== undefined && failed !== undefined);
  });

  after(async () => {
    await s3?.close();
    await exchange?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("lists a pair's newest runs, a refused one with its gate and reason", async () => {
    // Act
    const { code, text } = await runs('--endpoint', s3.endpoint, '--pair', 'btc/usdt', '--last', '5');

    // Assess
    assert.equal(code, 0, text);
    assert.match(
      text,
      /^3 runs of BTC\/USDT in http:\/\/127\.0\.0\.1:\d+, bucket local-models, newest first/,
    );
    const ids = [...text.matchAll(/^(\d{8}T\d{6}Z-[0-9a-z]+) {2}/gm)].map((m) => m[1]);
    assert.deepEqual(ids, [refused.run_id, published[0]?.run_id, published[1]?.run_id]);
    assert.match(
      text,
      /refused \(promotion gate\) .*\n {4}why: promotion gate failed: test skill .* is under validation\.min_skill 1/,
    );
    const [newest] = published;
    assert.ok(newest?.figures.test.point);
    assert.ok(text.includes(newest.figures.test.point.mae.toFixed(2)), 'the test MAE as recorded');
    assert.doesNotMatch(text, /ETH\/USDT/);
  });

  it('lists every pair, a failed run with its reason, as few as asked', async () => {
    const all = await runs('--endpoint', s3.endpoint);
    assert.equal(all.code, 0);
    assert.match(all.text, /^4 runs in /);
    assert.match(all.text, new RegExp(`${failed.run_id} +ETH/USDT +failed`));
    assert.match(all.text, new RegExp(`${failed.run_id} .*\\n {4}why: .+`));
    const one = await runs('list', '--endpoint', s3.endpoint, '--last', '1');
    assert.match(one.text, /^1 run in /);
  });

  it('shows one run: its data, machine, learning curve with the best epoch, figures and settings', async () => {
    const run = published[0] as RunRecord;
    const { code, text } = await runs('show', run.run_id, '--endpoint', s3.endpoint);
    assert.equal(code, 0, text);
    assert.match(text, new RegExp(`^Run ${run.run_id} of BTC/USDT: published \\(version ${run.run_id}\\)`));
    assert.match(text, /data {6}\d+ candles, .* from binance at http:\/\/127\.0\.0\.1:\d+/);
    for (const epoch of run.training?.epochs ?? []) {
      const best = epoch.epoch === run.training?.best_epoch ? ' \\*' : '';
      assert.match(
        text,
        new RegExp(
          `^ +${epoch.epoch}${best} +${epoch.train_loss.toFixed(6)} +${epoch.val_loss.toFixed(6)}`,
          'm',
        ),
      );
    }
    assert.match(text, /CRPS skill vs B1 +-?\d\.\d{4}/);
    assert.match(text, /^ +training\.learning_rate +0\.001$/m);
  });

  it('compares two runs: figures side by side, the better starred, and the settings that differ', async () => {
    const [b, a] = published as [RunRecord, RunRecord];
    const { code, text } = await runs('--compare', a.run_id, b.run_id, '--endpoint', s3.endpoint);
    assert.equal(code, 0, text);
    assert.match(text, new RegExp(`^Comparing A ${a.run_id} \\(BTC/USDT, published\\) with B ${b.run_id}`));
    const mae = (r: RunRecord): string => (r.figures.test.point?.mae ?? 0).toFixed(2);
    assert.match(text, new RegExp(`test MAE +${mae(a)}( \\*)? +${mae(b)}`));
    assert.match(
      text,
      /Settings that differ \(1; \d+ the same\):\n.*\n +training\.learning_rate +0\.003 +0\.001/,
    );
  });

  it('refuses a bad call with exit code 2 and a message saying what to do', async () => {
    assert.equal((await runs('show', '--endpoint', s3.endpoint)).code, 2);
    assert.equal((await runs('--compare', 'only-one', '--endpoint', s3.endpoint)).code, 2);
    assert.equal((await runs('show', '20200101T000000Z-dead', '--endpoint', s3.endpoint)).code, 2);
    assert.equal((await runs('--last', '0')).code, 2);
    assert.equal((await runs('--data-dir', join(dir, 'missing'))).code, 2);
  });

  it("reads the local stack's files by default, through a private server, as `npm run runs` does", async () => {
    // Act: the real entry point, over the directory the S3 server above keeps its objects in
    const { code, stdout, stderr } = await runTsCli(
      'local/runs/cli.ts',
      ['--data-dir', dir, '--pair', 'ETH/USDT'],
      {},
    );

    // Assess
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      new RegExp(`^1 run of ETH/USDT in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, bucket local-models`),
    );
    assert.match(stdout, new RegExp(failed.run_id));
  });
});

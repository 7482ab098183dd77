import './quiet-logs.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { writeJsonConf } from '../../infra/bundling/finish-bundle.js';
import { publishSynthetic } from '../serving/support.js';
import { TEST_SIGNING_KEY } from '../support/signing.js';
import { BUCKET, fixture, parse, startServingWorld, type ServingWorld } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How Lambda runs the handlers: the environment names the bucket, the endpoints and the pairs before
 * the first entry module (functions/lambda/) is imported, and nothing else is set up; conf/ is the JSON
 * that bundling writes beside the handler. (No static import of an entry in this file: it would read the
 * configuration too early.)
 */
const confDir = mkdtempSync(join(tmpdir(), 'runtime-env-conf-'));
writeJsonConf(join(ROOT, 'conf'), confDir);

describe('Lambda entries configured by the environment alone', () => {
  let world: ServingWorld;
  let version: string;
  const saved = { ...process.env };

  before(async () => {
    world = await startServingWorld(['BTC/USDT']);
    // The wiring is under test here, not the model: one exported from random weights will do, trained
    // now so that it is fresh.
    version = (await publishSynthetic(world.store, 'BTC/USDT', { trainedAt: new Date().toISOString() }))
      .version;
    Object.assign(process.env, {
      MUR_ENV: 'local',
      MUR_CONF_DIR: confDir,
      PAIRS: 'BTC/USDT',
      MODEL_BUCKET: BUCKET,
      // The key the stack gives the functions (deployed, kms:<arn>): the test process's key pair.
      MODEL_SIGNING_KEY: TEST_SIGNING_KEY,
      S3_ENDPOINT: world.s3.endpoint,
      EXCHANGE_URL: world.exchange.url,
      // An override a developer may set by hand (the deployed stack sets none): stale after 4 runs of
      // conf/'s hourly schedule.
      STALE_AFTER_PERIODS: '4',
    });
  });

  after(async () => {
    const { lambdaRuntime } = await import('../../functions/lambda/init.js');
    await lambdaRuntime().close();
    process.env = saved;
    await world.close();
    rmSync(confDir, { recursive: true, force: true });
  });

  it('serves predictions and readiness in-process, one runtime shared by every handler', async () => {
    // Act
    const { handler: predict } = await import('../../functions/lambda/predict.js');
    const { handler: readyz } = await import('../../functions/lambda/readyz.js');
    const prediction = parse(await predict(fixture('predict-get'), createLambdaContext('predict')));
    const ready = parse(await readyz(fixture('readyz-get'), createLambdaContext('readyz')));

    // Assess
    assert.equal(prediction.status, 200, JSON.stringify(prediction.body));
    const model = prediction.body['model'] as {
      version: string;
      stale: boolean;
      stale_after_seconds: number;
    };
    assert.equal(model.version, version);
    assert.equal(model.stale_after_seconds, 60 * 60 * 4, "the environment's periods of conf/'s schedule");
    assert.equal(model.stale, false);
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    const { lambdaRuntime: getRuntime } = await import('../../functions/lambda/init.js');
    assert.equal(getRuntime().config.storage.endpoint, world.s3.endpoint);
    assert.equal(getRuntime().config.serving.refresh_seconds, 1, 'conf/local');
    assert.deepEqual(
      getRuntime()
        .predictor.loaded()
        .map((m) => m.version),
      [version],
      'the predict and readyz handlers share one loaded model',
    );
  });

  it('stops at start-up, naming the key, when the configuration is bad', () => {
    // Act: a fresh process imports a handler with a bucket name S3 would refuse
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', "await import('./functions/lambda/healthz.ts');"],
      {
        cwd: ROOT,
        env: { ...saved, MUR_CONF_DIR: confDir, MODEL_BUCKET: 'Not_A_Bucket' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );

    // Assess
    assert.notEqual(child.status, 0);
    assert.match(child.stderr, /ConfigError: Invalid configuration/);
    assert.match(child.stderr, /storage\.bucket: expected an S3 bucket name/);
  });
});

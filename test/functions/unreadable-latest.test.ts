import './quiet-logs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { ModelsResponseSchema } from '../../functions/schemas/models.js';
import { StatusResponseSchema } from '../../functions/schemas/ready.js';
import { publishSynthetic } from '../serving/support.js';
import { BUCKET, fixture, parse, useServedApi } from './support.js';

/**
 * A corrupt latest.json in a served pair's folder and a stray one in a folder of no pair: the other
 * pairs keep being listed, the served pair says why it cannot be served, the stray is reported.
 */
describe('/models and /readyz with an unreadable latest.json under the prefix', () => {
  let btc: string;
  const served = useServedApi(['BTC/USDT', 'ETH/USDT'], async (world) => {
    // Trained just now by the clock of the runtime below: fresh
    btc = (await publishSynthetic(world.store, 'BTC/USDT', { trainedAt: new Date().toISOString() })).version;
    for (const key of ['models/eth_usdt/latest.json', 'models/old-backup/latest.json']) {
      await world.store.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: '{"pair":' }));
    }
  });

  it('lists the readable pairs in /models and the served pair with a corrupt pointer as unavailable', async () => {
    const { status, body } = parse(
      await served.api.models(fixture('models-get'), createLambdaContext('models')),
    );

    assert.equal(status, 200, JSON.stringify(body));
    const listed = ModelsResponseSchema.parse(body);
    assert.deepEqual(
      listed.models.map((m) => [m.pair, m.version]),
      [['BTC/USDT', btc]],
    );
    assert.deepEqual(
      listed.unavailable.map((u) => [u.pair, u.error.code]),
      [['ETH/USDT', 'model_unavailable']],
    );
  });

  it('names the stray folder among the problems of /readyz', async () => {
    const { body } = parse(await served.api.status(fixture('status-get'), createLambdaContext('status')));

    const ready = StatusResponseSchema.parse(body);
    assert.equal(ready.storage, 'ok');
    assert.deepEqual(
      ready.models.map((m) => m.pair),
      ['BTC/USDT'],
    );
    assert.ok(
      ready.problems.includes('skipped an unreadable latest.json in the model folder old-backup'),
      JSON.stringify(ready.problems),
    );
  });
});

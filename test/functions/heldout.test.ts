import './quiet-logs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heldoutHandler } from '../../functions/handlers/heldout.js';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { HeldOutResponseSchema } from '../../functions/schemas/heldout.js';
import { heldOutCoverage } from '../../core/runs/heldout-coverage.js';
import { fixture, parse, putRunFile, recordsOnDeadStore, useServedApi, withQuery } from './support.js';

const context = createLambdaContext('heldout');

describe('GET /heldout', () => {
  let first: string;
  let second: string;
  const served = useServedApi(['BTC/USDT', 'ETH/USDT'], async (world) => {
    first = (await world.publish('BTC/USDT')).version;
    second = (await world.publish('BTC/USDT', 43)).version;
  });

  it("answers the newest run's last held-out hours with the quantiles, the closes and their coverage", async () => {
    // Act: the fixture asks for btc/usdt's last 48 hours
    const { status, headers, body } = parse(await served.api.heldout(fixture('heldout-get'), context));

    // Assess
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(headers['Cache-Control'], 'no-store');
    const answer = HeldOutResponseSchema.parse(body);
    const stored = await served.world.records.readHeldOut('BTC/USDT', second);
    assert.ok(stored !== null);
    assert.equal(answer.pair, 'BTC/USDT');
    assert.equal(answer.run_id, second, 'the newest run');
    assert.equal(answer.total_hours, stored.hours.length);
    assert.deepEqual(answer.hours, stored.hours.slice(-48));
    assert.deepEqual(answer.coverage, heldOutCoverage(stored.hours.slice(-48)));
    assert.equal(answer.calibrated, stored.calibration !== null);
    for (const hour of answer.hours) {
      assert.ok(hour.quantiles.p05 < hour.quantiles.p50 && hour.quantiles.p50 < hour.quantiles.p95);
      assert.ok(hour.i95.lower < hour.quantiles.p05 && hour.quantiles.p95 < hour.i95.upper);
    }
  });

  it('answers the run asked for by its id, which for a published run is its version', async () => {
    const event = withQuery(fixture('heldout-get'), { currency: 'BTC', compare: 'USDT', run: first });
    const answer = HeldOutResponseSchema.parse(parse(await served.api.heldout(event, context)).body);
    assert.equal(answer.run_id, first);
    const stored = await served.world.records.readHeldOut('BTC/USDT', first);
    assert.equal(answer.hours.length, Math.min(500, stored?.hours.length ?? 0), '500 hours by default');
  });

  it("answers a caller's mistakes with 4xx saying what to fix", async () => {
    const ask = async (query: Record<string, string>) =>
      parse(await served.api.heldout(withQuery(fixture('heldout-get'), query), context));
    const badRun = await ask({ currency: 'BTC', compare: 'USDT', run: 'yesterday' });
    assert.equal(badRun.status, 400);
    assert.match(JSON.stringify(badRun.body), /run: expected a run id like 20261126T064100Z-a1b2/);
    const badLast = await ask({ currency: 'BTC', compare: 'USDT', last: '0' });
    assert.equal(badLast.status, 400);
    assert.match(JSON.stringify(badLast.body), /last: expected at least 1 hour/);
    const unknown = await ask({ currency: 'DOGE', compare: 'USDT' });
    assert.equal(unknown.status, 404);
    assert.deepEqual((unknown.body['error'] as Record<string, unknown>)['available'], [
      'BTC/USDT',
      'ETH/USDT',
    ]);
    const noRuns = await ask({ currency: 'ETH', compare: 'USDT' });
    assert.equal(noRuns.status, 404);
    assert.equal((noRuns.body['error'] as Record<string, unknown>)['code'], 'heldout_not_found');
    assert.match(JSON.stringify(noRuns.body), /No run of ETH\/USDT has kept its held-out hours yet/);
    const missing = await ask({ currency: 'BTC', compare: 'USDT', run: '20200101T000000Z-dead' });
    assert.equal(missing.status, 404);
    assert.match(JSON.stringify(missing.body), /has no run 20200101T000000Z-dead/);
  });

  it('answers 503 without internals when storage is down or the held-out hours are unreadable', async () => {
    // Prepare: the same handler on a store that does not answer, and a corrupt file in the real one
    const { world } = served;
    const down = heldoutHandler({ config: world.config, runs: await recordsOnDeadStore(world) });
    await putRunFile(world, 'BTC/USDT', first, 'heldout.json', '{"hours": []}');

    // Act
    const outage = parse(await down(fixture('heldout-get'), context));
    const corrupt = parse(
      await served.api.heldout(
        withQuery(fixture('heldout-get'), { currency: 'BTC', compare: 'USDT', run: first }),
        context,
      ),
    );

    // Assess
    assert.equal(outage.status, 503);
    assert.equal((outage.body['error'] as Record<string, unknown>)['code'], 'storage_unavailable');
    assert.ok(outage.headers['Retry-After']);
    assert.equal(corrupt.status, 503);
    assert.equal((corrupt.body['error'] as Record<string, unknown>)['code'], 'heldout_unavailable');
    assert.doesNotMatch(JSON.stringify(corrupt.body), /runs\/btc_usdt|schema_version|serving-models/);
  });
});

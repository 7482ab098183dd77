import './quiet-logs.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newVersion } from '../../core/artifacts/layout.js';
import { NETWORK_SUBJECT, type RunRecord } from '../../core/runs/run-record.js';
import { runsHandler } from '../../functions/handlers/runs.js';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { RunsResponseSchema } from '../../functions/schemas/runs.js';
import { runRecordFixture } from '../core/runs/fixtures.js';
import { fixture, parse, putRunFile, recordsOnDeadStore, useServedApi, withQuery } from './support.js';

const context = createLambdaContext('runs');

/** A run of `subject` that ended `hoursAgo` hours ago, with nothing published. */
function unpublished(subject: string, hoursAgo: number, outcome: RunRecord['outcome']): RunRecord {
  const runId = newVersion(new Date(Date.now() - hoursAgo * 3_600_000));
  return runRecordFixture({ run_id: runId, subject, version: null, heldout_hours: null, outcome });
}

describe('GET /runs', () => {
  let first: string;
  let second: string;
  let refused: RunRecord;
  let failed: RunRecord;
  let network: RunRecord;

  const served = useServedApi(['BTC/USDT', 'ETH/USDT'], async (world) => {
    first = (await world.publish('BTC/USDT')).version;
    second = (await world.publish('BTC/USDT', 43)).version;
    // Runs that published nothing, older than the two above, written as the recorder writes them.
    refused = unpublished('BTC/USDT', 3, {
      status: 'refused',
      gate: 'promotion',
      reason: 'promotion gate failed: test skill -0.0213 is under validation.min_skill -0.01',
    });
    failed = unpublished('ETH/USDT', 2, {
      status: 'failed',
      reason: 'The exchange (binance) did not answer for ETH/USDT',
    });
    network = unpublished(NETWORK_SUBJECT, 1, {
      status: 'failed',
      reason: 'too few windows',
    });
    for (const record of [refused, failed, network]) await world.records.write(record);
  });

  const ask = async (query: Record<string, string>) =>
    parse(await served.api.runs(withQuery(fixture('runs-get'), query), context));

  it("lists a pair's newest runs with their learning curves, figures and outcomes, as stored", async () => {
    // Act: the fixture asks for btc/usdt's last 5
    const { status, headers, body } = parse(await served.api.runs(fixture('runs-get'), context));

    // Assess
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(headers['Cache-Control'], 'no-store');
    const answer = RunsResponseSchema.parse(body);
    assert.deepEqual(
      answer.runs.map((r) => r.run_id),
      [second, first, refused.run_id],
      'newest first, the refused one too',
    );
    assert.deepEqual(answer.runs[0], await served.world.records.read('BTC/USDT', second));
    assert.ok((answer.runs[0]?.training?.epochs.length ?? 0) >= 1, 'the learning curve');
    assert.deepEqual(answer.runs[2]?.outcome, refused.outcome);
    assert.deepEqual(answer.unreadable, []);
  });

  it('lists every subject, the shared network included, and as few as asked', async () => {
    const all = RunsResponseSchema.parse((await ask({})).body);
    assert.deepEqual(
      all.runs.map((r) => r.run_id),
      [second, first, network.run_id, failed.run_id, refused.run_id],
    );
    const two = RunsResponseSchema.parse((await ask({ last: '2' })).body);
    assert.deepEqual(
      two.runs.map((r) => r.run_id),
      [second, first],
    );
    const shared = RunsResponseSchema.parse((await ask({ currency: 'network', compare: 'scale' })).body);
    assert.deepEqual(
      shared.runs.map((r) => [r.subject, r.run_id]),
      [[NETWORK_SUBJECT, network.run_id]],
    );
  });

  it('answers one run by its id, with or without its pair', async () => {
    const alone = RunsResponseSchema.parse((await ask({ run: failed.run_id })).body);
    assert.deepEqual(alone.runs, [failed]);
    const narrowed = RunsResponseSchema.parse(
      (await ask({ currency: 'BTC', compare: 'USDT', run: first })).body,
    );
    assert.deepEqual(
      narrowed.runs.map((r) => r.version),
      [first],
    );
  });

  it("answers a caller's mistakes with 4xx saying what to fix", async () => {
    const half = await ask({ currency: 'BTC' });
    assert.equal(half.status, 400);
    assert.match(JSON.stringify(half.body), /compare: required with currency/);
    const badLast = await ask({ last: '101' });
    assert.equal(badLast.status, 400);
    assert.match(JSON.stringify(badLast.body), /last: expected at most 100 runs/);
    const both = await ask({ run: first, last: '3' });
    assert.equal(both.status, 400);
    assert.match(JSON.stringify(both.body), /last: not with run/);
    const badRun = await ask({ run: 'latest' });
    assert.equal(badRun.status, 400);
    assert.match(JSON.stringify(badRun.body), /run: expected a run id like/);
    const unknown = await ask({ currency: 'DOGE', compare: 'USDT' });
    assert.equal(unknown.status, 404);
    assert.deepEqual((unknown.body['error'] as Record<string, unknown>)['available'], [
      'BTC/USDT',
      'ETH/USDT',
    ]);
    const missing = await ask({ run: '20200101T000000Z-dead' });
    assert.equal(missing.status, 404);
    assert.equal((missing.body['error'] as Record<string, unknown>)['code'], 'run_not_found');
    const elsewhere = await ask({ currency: 'ETH', compare: 'USDT', run: first });
    assert.equal(elsewhere.status, 404);
    assert.match(JSON.stringify(elsewhere.body), new RegExp(`No run ${first} of ETH/USDT`));
  });

  it('lists an unreadable record apart and answers 503 for it or for storage down, without internals', async () => {
    // Prepare: a record broken in the real store, and the handler on a store that does not answer
    const broken = unpublished('ETH/USDT', 30, { status: 'failed', reason: 'x' });
    const { world } = served;
    await putRunFile(world, 'ETH/USDT', broken.run_id, 'record.json', '{"schema_version": 1}');
    const down = runsHandler({ config: world.config, runs: await recordsOnDeadStore(world) });

    // Act
    const listing = await ask({ currency: 'ETH', compare: 'USDT' });
    const one = await ask({ run: broken.run_id, currency: 'ETH', compare: 'USDT' });
    const outage = parse(await down(fixture('runs-get'), context));

    // Assess
    const answer = RunsResponseSchema.parse(listing.body);
    assert.deepEqual(
      answer.runs.map((r) => r.run_id),
      [failed.run_id],
    );
    assert.deepEqual(
      answer.unreadable.map((u) => u.run_id),
      [broken.run_id],
    );
    assert.equal(one.status, 503);
    assert.equal((one.body['error'] as Record<string, unknown>)['code'], 'runs_unavailable');
    assert.equal(outage.status, 503);
    assert.equal((outage.body['error'] as Record<string, unknown>)['code'], 'storage_unavailable');
    for (const body of [listing.body, one.body, outage.body]) {
      assert.doesNotMatch(JSON.stringify(body), /runs\/eth_usdt|record\.json|serving-models/);
    }
  });
});

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ArtifactError, ArtifactNotFoundError, ManifestError } from '../../../adapters/storage/errors.js';
import { RunRecords } from '../../../adapters/storage/run-records.js';
import type { ArtifactStore } from '../../../adapters/storage/store.js';
import type { HeldOutForecasts } from '../../../core/runs/heldout.js';
import { runObjectKey } from '../../../core/runs/layout.js';
import type { RunRecord } from '../../../core/runs/run-record.js';
import { runRecordFixture } from '../../core/runs/fixtures.js';
import { PAIR, publishVersionAt, rawPut, useTestS3, versionAt } from './support.js';

/** The record of a run of `subject` that ended at `hour`, published unless told otherwise. */
function recordAt(hour: number, subject = PAIR, outcome?: RunRecord['outcome']): RunRecord {
  const runId = versionAt(hour);
  return runRecordFixture({
    run_id: runId,
    subject,
    version: outcome === undefined || outcome.status === 'published' ? runId : null,
    ...(outcome === undefined ? {} : { outcome }),
  });
}

function heldOutOf(record: RunRecord): HeldOutForecasts {
  const hour = {
    open_time: '2026-11-26T06:00:00.000Z',
    last_close: 100,
    quantiles: { p05: 98, p10: 99, p25: 99.5, p50: 100, p75: 100.5, p90: 101, p95: 102 },
    i95: { lower: 97, upper: 103 },
    close: 100.2,
  };
  return {
    schema_version: 1,
    subject: record.subject,
    run_id: record.run_id,
    family: { name: 'gaussian' },
    calibration: null,
    hours: [hour, { ...hour, open_time: '2026-11-26T07:00:00.000Z', close: 104 }],
  };
}

describe('RunRecords against s3rver', () => {
  const s3 = useTestS3();
  let store: ArtifactStore;
  let records: RunRecords;
  let prefix = '';

  beforeEach(() => {
    // A prefix of its own per test: no test sees another's runs.
    ({ prefix, store } = s3.freshStore('runs-test-'));
    records = RunRecords.beside(store);
  });

  it('lists the runs of a subject newest first, published, refused and failed alike, and reads one', async () => {
    // Prepare
    const refused = recordAt(2, PAIR, {
      status: 'refused',
      gate: 'promotion',
      reason: 'promotion gate failed',
    });
    const failed = recordAt(3, PAIR, { status: 'failed', reason: 'the exchange did not answer' });
    await records.write(recordAt(1));
    await records.write(failed);
    await records.write(refused);
    await records.write(recordAt(4, 'ETH/USDT'));

    // Act
    const btc = await records.list({ subject: PAIR });
    const everyone = await records.list({ last: 3 });
    const one = await records.read(PAIR, refused.run_id);

    // Assess
    assert.deepEqual(
      btc.records.map((r) => [r.run_id, r.outcome.status]),
      [
        [versionAt(3), 'failed'],
        [versionAt(2), 'refused'],
        [versionAt(1), 'published'],
      ],
    );
    assert.deepEqual(
      everyone.records.map((r) => [r.subject, r.run_id]),
      [
        ['ETH/USDT', versionAt(4)],
        [PAIR, versionAt(3)],
        [PAIR, versionAt(2)],
      ],
    );
    assert.deepEqual(one, refused);
    assert.deepEqual(await records.subjects(), [PAIR, 'ETH/USDT'].sort());
    assert.deepEqual((await records.find(failed.run_id))?.outcome, failed.outcome);
    assert.equal(await records.find(versionAt(9)), null);
    await assert.rejects(records.read(PAIR, versionAt(9)), ArtifactNotFoundError);
  });

  it('keeps the held-out hours beside the record, and finds the newest run that kept some', async () => {
    // Prepare
    const older = recordAt(1);
    const newer = recordAt(2);
    await records.write(older, heldOutOf(older));
    await records.write(newer, heldOutOf(newer));
    await records.write(recordAt(3, PAIR, { status: 'failed', reason: 'no candles' }));

    // Act
    const kept = await records.readHeldOut(PAIR, older.run_id);
    const newest = await records.newestHeldOut(PAIR);

    // Assess
    assert.deepEqual(kept, heldOutOf(older));
    assert.equal(newest?.run_id, newer.run_id, 'the failed run kept none');
    assert.equal(await records.readHeldOut(PAIR, versionAt(3)), null);
    assert.equal(await records.newestHeldOut('ETH/USDT'), null);
  });

  it('writes a run once, and refuses a record or held-out hours that do not validate or do not match', async () => {
    const record = recordAt(1);
    await records.write(record);
    await assert.rejects(records.write(record), ArtifactError, 'a record is never replaced');
    const broken = { ...recordAt(2), duration_seconds: -1 };
    await assert.rejects(records.write(broken), ManifestError);
    const other = recordAt(3);
    await assert.rejects(records.write(other, heldOutOf(record)), /cannot go beside the record/);
    assert.deepEqual(
      (await records.list({ subject: PAIR })).records.map((r) => r.run_id),
      [record.run_id],
      'nothing of the refused writes landed',
    );
  });

  it('lists a record that cannot be read apart, with its reason, and goes on', async () => {
    await records.write(recordAt(1));
    await rawPut(s3.client, runObjectKey(prefix, PAIR, versionAt(2), 'record.json'), '{"not": "a record"}');

    const listing = await records.list({ subject: PAIR });

    assert.deepEqual(
      listing.records.map((r) => r.run_id),
      [versionAt(1)],
    );
    assert.equal(listing.unreadable.length, 1);
    assert.match(listing.unreadable[0]?.reason ?? '', /schema_version/);
  });

  it('keeps every record when a publish prunes the versions they describe', async () => {
    // Prepare: five published runs, each with its record and held-out hours, as the training job leaves them
    const versions: string[] = [];
    for (let hour = 1; hour <= 5; hour += 1) {
      const version = versionAt(hour);
      await publishVersionAt(store, hour);
      const record = recordAt(hour);
      await records.write(record, heldOutOf(record));
      versions.push(version);
    }

    // Act: what a publish does after writing its version (publishModel): keep the newest two
    const pruned = await store.pruneVersions(PAIR, 2);

    // Assess
    assert.deepEqual(pruned, versions.slice(0, 3), 'the prune ran and removed three versions');
    const listing = await records.list({ subject: PAIR });
    assert.deepEqual(
      listing.records.map((r) => r.version),
      [...versions].reverse(),
      'every run is still recorded',
    );
    for (const version of versions) assert.ok(await records.readHeldOut(PAIR, version));
  });

  it('refuses a listing of no runs or of too many', async () => {
    await assert.rejects(records.list({ last: 0 }), RangeError);
    await assert.rejects(records.list({ last: 1_001 }), RangeError);
  });
});

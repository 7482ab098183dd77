import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { IncompleteVersionError } from '../../../adapters/storage/errors.js';
import { ARTIFACT_FILES, artifactKey, latestKey, manifestKey } from '../../../core/artifacts/layout.js';
import type { ArtifactStore } from '../../../adapters/storage/store.js';
import {
  BUCKET,
  FAST,
  PAIR,
  clientFor,
  rawPut,
  filesFor,
  publishAt,
  publishVersionAt,
  storeFor,
  useTestS3,
  versionAt,
} from './support.js';

/*
 * A Batch retry can overlap the next hourly run of the same pair: two or more publishers of one pair
 * at once, each with its own version, and each pruning after it publishes. These tests run them
 * against the real local server (which honours conditional writes, like S3).
 */

const TWO_HOURS_MS = 2 * 60 * 60 * 1000;
/** A dozen publishers on a shared 2-core machine: give each request time, and the SDK's retries. */
const PATIENT = { ...FAST, maxAttempts: 3, requestTimeoutMs: 15_000 };

/** Every file the pointer's manifest lists reads back with its recorded checksum. */
async function assertServable(store: ArtifactStore, version: string): Promise<void> {
  const manifest = await store.readManifest(PAIR, version);
  for (const name of ARTIFACT_FILES) await store.readFile(manifest, name);
}

describe('publication races, against the local S3 server', () => {
  const s3 = useTestS3(PATIENT);
  let prefix = '';
  let store: ArtifactStore;

  beforeEach(() => {
    ({ prefix, store } = s3.freshStore('race'));
  });

  it('never moves latest.json back to an older version published later', async () => {
    const newer = versionAt(11);
    const older = versionAt(10);
    await publishVersionAt(store, 11);

    // The retried 10:00 run finishes after the 11:00 one.
    const outcome = await publishVersionAt(store, 10);

    assert.equal(outcome.promoted, false);
    assert.equal(outcome.latest.version, newer);
    assert.equal((await store.readLatest(PAIR))?.version, newer);
    assert.deepEqual(await store.listVersions(PAIR), [older, newer], 'the older run is kept, not served');
  });

  it('under many concurrent publishes (and prunes), latest.json only moves forward to complete versions', async () => {
    // Prepare: one client per publisher, as separate Batch jobs would have.
    const hours = Array.from({ length: 12 }, (_, k) => 12 - k); // newest first: the worst order for last-writer-wins
    const clients = hours.map(() => clientFor(s3.server.endpoint, PATIENT));
    const seen: string[] = [];
    let publishing = true;
    const watcher = (async () => {
      while (publishing) {
        const latest = await store.readLatest(PAIR);
        if (latest !== null && seen.at(-1) !== latest.version) {
          seen.push(latest.version);
          try {
            await assertServable(store, latest.version);
          } catch (error) {
            // With keep 1 a newer publish may prune what this reader read a moment ago; a reader then
            // reads latest.json again. Broken is a pointer that still names files that are not there.
            if ((await store.readLatest(PAIR))?.version === latest.version) throw error;
          }
        }
      }
    })();

    try {
      // Act: every run publishes, then prunes with keep 1, as the training job does.
      const outcomes = await Promise.all(
        hours.map(async (hour, k) => {
          const own = storeFor(clients[k] as S3Client, { prefix });
          const outcome = await publishVersionAt(own, hour);
          await own.pruneVersions(PAIR, 1);
          return outcome;
        }),
      );
      publishing = false;
      await watcher;

      // Assess
      const newest = versionAt(12);
      assert.equal((await store.readLatest(PAIR))?.version, newest);
      await assertServable(store, newest);
      assert.deepEqual(seen, [...seen].sort(), `latest.json went backwards: ${seen.join(' -> ')}`);
      assert.equal(outcomes[0]?.promoted, true, 'the newest run is live');
      for (const outcome of outcomes) assert.equal(outcome.latest.version >= outcome.manifest.version, true);
    } finally {
      publishing = false;
      await watcher.catch(() => undefined);
      for (const c of clients) c.destroy();
    }
  });

  it('does not prune a version still uploading, even one older than the live version', async () => {
    // Prepare: 10:00's retry is uploading (files, no manifest yet) when 11:00 publishes and prunes.
    const uploading = versionAt(10);
    await rawPut(s3.client, artifactKey(prefix, PAIR, uploading, 'model.onnx'), filesFor(10)['model.onnx']);
    const newer = versionAt(12);
    await rawPut(s3.client, artifactKey(prefix, PAIR, newer, 'model.onnx'), filesFor(12)['model.onnx']);
    await publishAt(store, 11); // the live version

    // Act
    const deleted = await store.pruneVersions(PAIR, 1);

    // Assess: the upload can still finish.
    assert.deepEqual(deleted, []);
    const finished = await publishVersionAt(store, 10);
    assert.equal(finished.promoted, false);
    await assertServable(store, uploading);
  });

  it('prunes a manifest-less folder once nothing was written in it for the grace period', async () => {
    const abandoned = versionAt(10);
    await rawPut(s3.client, artifactKey(prefix, PAIR, abandoned, 'model.onnx'), new Uint8Array([1]));
    const live = await publishAt(store, 11);
    const later = storeFor(s3.client, { prefix, clock: () => new Date(Date.now() + TWO_HOURS_MS) });

    assert.deepEqual(await later.pruneVersions(PAIR, 1), [abandoned]);
    assert.deepEqual(await store.pruneVersions(PAIR, 1, { graceMs: 0 }), []);
    assert.equal((await store.readLatest(PAIR))?.version, live);
  });

  it('refuses to point latest.json at a version whose files were pruned after its manifest was written', async () => {
    // Prepare: a prune (another run's) deletes model.onnx right after this run wrote its manifest.
    const before = await publishAt(store, 9);
    const version = versionAt(10);
    const racing = clientFor(s3.server.endpoint);
    racing.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const input = args.input as { Key?: string };
        if (input.Key === manifestKey(prefix, PAIR, version)) {
          await s3.client.send(
            new DeleteObjectCommand({
              Bucket: BUCKET,
              Key: artifactKey(prefix, PAIR, version, 'model.onnx'),
            }),
          );
        }
        return result;
      },
      { step: 'initialize', name: 'pruneAfterManifest' },
    );
    try {
      // Act / Assess
      await assert.rejects(publishVersionAt(storeFor(racing, { prefix }), 10), (error: unknown) => {
        assert.ok(error instanceof IncompleteVersionError, String(error));
        assert.match(error.message, /model\.onnx is missing/);
        return true;
      });
      assert.equal((await store.readLatest(PAIR))?.version, before);
    } finally {
      racing.destroy();
    }
  });

  it('promote (a rollback) checks the files and refuses an incomplete version', async () => {
    const broken = await publishAt(store, 8);
    const live = await publishAt(store, 9);
    await rawPut(s3.client, artifactKey(prefix, PAIR, broken, 'scaler.json'), '{"tampered":true}');

    await assert.rejects(store.promote(PAIR, broken), IncompleteVersionError);
    assert.equal((await store.readLatest(PAIR))?.version, live);

    await store.promote(PAIR, versionAt(9));
    assert.equal((await store.readLatest(PAIR))?.version, live);
  });

  it('replaces an unreadable latest.json with the next publish', async () => {
    await rawPut(s3.client, latestKey(prefix, PAIR), '{"pair": "BTC/USDT", "version": 3');
    const outcome = await publishVersionAt(store, 3);
    assert.equal(outcome.promoted, true);
    assert.equal((await store.readLatest(PAIR))?.version, versionAt(3));
  });
});

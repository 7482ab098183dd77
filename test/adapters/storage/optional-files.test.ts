import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArtifactIntegrityError } from '../../../adapters/storage/errors.js';
import { ManifestSchema } from '../../../core/artifacts/schemas.js';
import {
  MODEL_SUMMARY,
  PAIR,
  filesFor,
  publishAt,
  rawPut,
  storeFor,
  useTestS3,
  versionAt,
} from './support.js';

describe('optional artifact files (distribution.json)', () => {
  const s3 = useTestS3();

  it('publishes distribution.json under optional_files and reads it back, checked', async () => {
    // Prepare
    const store = storeFor(s3.client, { prefix: 'with/' });
    const bytes = new TextEncoder().encode('{"schema_version":1}\n');
    // Act
    const manifest = await store.publish({
      pair: PAIR,
      version: versionAt(1),
      files: filesFor(1),
      optionalFiles: { 'distribution.json': bytes },
      model: MODEL_SUMMARY,
    });
    // Assess
    assert.equal(manifest.optional_files?.['distribution.json']?.bytes, bytes.byteLength);
    const read = await store.readManifest(PAIR, versionAt(1));
    assert.deepEqual(await store.readOptionalFile(read, 'distribution.json'), bytes);
    // Tampered bytes are refused like any artifact's.
    const key = manifest.optional_files!['distribution.json']!.key;
    await rawPut(s3.client, key, '{"schema_version":2}\n');
    await assert.rejects(store.readOptionalFile(read, 'distribution.json'), ArtifactIntegrityError);
  });

  it('reads null for a version published without it', async () => {
    const store = storeFor(s3.client, { prefix: 'without/' });
    await publishAt(store, 2);
    const manifest = await store.readManifest(PAIR, versionAt(2));
    assert.equal(manifest.optional_files, undefined);
    assert.equal(await store.readOptionalFile(manifest, 'distribution.json'), null);
  });

  it('keeps manifests readable by a reader that predates optional_files (unknown top-level keys are dropped)', () => {
    const older = ManifestSchema.omit({ optional_files: true });
    const written = {
      schema_version: 1,
      pair: PAIR,
      version: versionAt(3),
      created_at: '2026-11-26T03:00:00.000Z',
      files: Object.fromEntries(
        ['model.onnx', 'scaler.json', 'metrics.json'].map((name) => [
          name,
          { key: `k/${name}`, sha256: '0'.repeat(64), bytes: 1 },
        ]),
      ),
      optional_files: {
        'distribution.json': { key: 'k/distribution.json', sha256: '0'.repeat(64), bytes: 1 },
      },
      model: {},
    };
    assert.equal(older.safeParse(written).success, true);
  });
});

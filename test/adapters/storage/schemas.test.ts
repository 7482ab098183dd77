import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Hex } from '../../../core/artifacts/checksum.js';
import { LatestPointerSchema, ManifestSchema } from '../../../core/artifacts/schemas.js';

const version = '20261126T064100Z-a1b2';
const entry = (name: string) => ({
  key: `models/btc_usdt/${version}/${name}`,
  sha256: sha256Hex(new TextEncoder().encode(name)),
  bytes: name.length,
});
const manifest = {
  schema_version: 1,
  pair: 'BTC/USDT',
  version,
  created_at: '2026-11-26T06:41:00.000Z',
  files: {
    'model.onnx': entry('model.onnx'),
    'scaler.json': entry('scaler.json'),
    'metrics.json': entry('metrics.json'),
  },
  model: { sequence_length: 120, feature_count: 9, hidden_size: 128, layers: [128, 128] },
};

describe('ManifestSchema', () => {
  it('accepts a full manifest and keeps free-form model fields', () => {
    const parsed = ManifestSchema.parse(manifest);
    assert.deepEqual(parsed.model, manifest.model);
  });

  it('requires all three files', () => {
    const { 'metrics.json': _dropped, ...two } = manifest.files;
    assert.equal(ManifestSchema.safeParse({ ...manifest, files: two }).success, false);
  });

  it('refuses a checksum that is not 64 lower-case hex digits, and other schema versions', () => {
    const badSha = { ...manifest.files['model.onnx'], sha256: 'ABC' };
    assert.equal(
      ManifestSchema.safeParse({ ...manifest, files: { ...manifest.files, 'model.onnx': badSha } }).success,
      false,
    );
    assert.equal(ManifestSchema.safeParse({ ...manifest, schema_version: 2 }).success, false);
    assert.equal(ManifestSchema.safeParse({ ...manifest, created_at: 'yesterday' }).success, false);
  });
});

describe('LatestPointerSchema', () => {
  it('accepts a pointer and refuses one without a version', () => {
    const pointer = {
      pair: 'BTC/USDT',
      version,
      manifest_key: `models/btc_usdt/${version}/manifest.json`,
      published_at: '2026-11-26T06:42:00.000Z',
    };
    assert.deepEqual(LatestPointerSchema.parse(pointer), pointer);
    assert.equal(LatestPointerSchema.safeParse({ ...pointer, version: undefined }).success, false);
  });
});

describe('sha256Hex', () => {
  it('matches the published test vector', () => {
    assert.equal(
      sha256Hex(new TextEncoder().encode('abc')),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  artifactKey,
  isVersion,
  latestKey,
  manifestKey,
  newVersion,
  pairSlug,
  sortVersions,
  versionPrefix,
} from '../../../core/artifacts/layout.js';

describe('pairSlug', () => {
  it('joins base and quote with an underscore, in lower case', () => {
    assert.equal(pairSlug('BTC/USDT'), 'btc_usdt');
    assert.equal(pairSlug('1INCH/USDC'), '1inch_usdc');
  });

  it('refuses what is not a pair, rather than writing under a strange key', () => {
    for (const bad of ['btc/usdt', 'BTCUSDT', 'BTC/USDT/X', '../BTC/USDT', '']) {
      assert.throws(() => pairSlug(bad), RangeError, bad);
    }
  });
});

describe('keys', () => {
  const version = '20261126T064100Z-a1b2';

  it('places every file of a version under models/{slug}/{version}/ after the prefix', () => {
    assert.equal(
      artifactKey('forecast/', 'ETH/USDT', version, 'model.onnx'),
      `forecast/models/eth_usdt/${version}/model.onnx`,
    );
    assert.equal(manifestKey('', 'ETH/USDT', version), `models/eth_usdt/${version}/manifest.json`);
    assert.equal(latestKey('a/b/', 'ETH/USDT'), 'a/b/models/eth_usdt/latest.json');
  });

  it('refuses a version that is not a stamp', () => {
    assert.throws(() => versionPrefix('', 'BTC/USDT', '../latest'), RangeError);
    assert.throws(() => artifactKey('', 'BTC/USDT', '2026-11-26', 'scaler.json'), RangeError);
  });
});

describe('newVersion', () => {
  it('stamps the clock in UTC to the second, with the given suffix', () => {
    const now = new Date('2026-11-26T06:41:07.999Z');
    assert.equal(newVersion(now, 'a1b2'), '20261126T064107Z-a1b2');
    assert.equal(newVersion(now, ''), '20261126T064107Z');
  });

  it('adds the milliseconds and a random part by default, so two runs in the same millisecond differ', () => {
    const now = new Date('2026-11-26T06:41:00.042Z');
    const versions = new Set(Array.from({ length: 20 }, () => newVersion(now)));
    assert.ok(versions.size > 1);
    for (const version of versions) assert.match(version, /^20261126T064100Z-042[0-9a-f]{4}$/);
  });

  it('orders two versions of the same second by their milliseconds, whatever the random part', () => {
    for (let trial = 0; trial < 50; trial += 1) {
      const earlier = newVersion(new Date('2026-11-26T06:41:00.099Z'));
      const later = newVersion(new Date('2026-11-26T06:41:00.100Z'));
      assert.deepEqual(sortVersions([later, earlier]), [earlier, later]);
    }
  });

  it('sorts as strings in time order', () => {
    const stamps = [
      '2027-01-01T00:00:00Z',
      '2026-11-26T06:41:00Z',
      '2026-11-26T23:00:00Z',
      '2026-02-03T10:00:00Z',
    ];
    const versions = stamps.map((s) => newVersion(new Date(s)));
    const byTime = [...stamps]
      .sort((a, b) => Date.parse(a) - Date.parse(b))
      .map((s) => s.replace(/[-:]/g, ''));
    assert.deepEqual(
      sortVersions(versions).map((v) => v.slice(0, 16)),
      byTime,
    );
  });

  it('refuses an invalid date or suffix', () => {
    assert.throws(() => newVersion(new Date(Number.NaN)), RangeError);
    assert.throws(() => newVersion(new Date(), 'A/B'), RangeError);
  });

  it('recognises versions and nothing else', () => {
    assert.ok(isVersion('20261126T064100Z'));
    assert.ok(isVersion('20261126T064100Z-a1b2'));
    assert.ok(!isVersion('latest.json'));
    assert.ok(!isVersion('20261126T0641Z'));
  });
});

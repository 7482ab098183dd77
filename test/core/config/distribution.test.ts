import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, deepMerge, parseConfig } from '../../../core/config/index.js';
import { dropRetiredKeys } from '../../../core/config/retired.js';
import { loadConfig } from '../../../adapters/config/yaml.js';

const base = loadConfig({ env: 'base', environment: {} }).config as unknown as Record<string, unknown>;

function problems(distribution: Record<string, unknown>): { key: string; reason: string }[] {
  try {
    parseConfig(deepMerge(base, { distribution }));
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map(({ key, reason }) => ({ key, reason }));
  }
  return [];
}

describe('distribution.scale', () => {
  it('stops on the removed network scale, saying why and what to use instead', () => {
    // Act
    const found = problems({ scale: 'network' });

    // Assess
    assert.deepEqual(
      found.map((p) => p.key),
      ['distribution.scale'],
    );
    assert.match(found[0]?.reason ?? '', /per-pair network scale head was removed/);
    assert.match(found[0]?.reason ?? '', /below the linear correction/);
    assert.match(found[0]?.reason ?? '', /use linear \(or b1\)/);
  });

  it('refuses a scale it does not know, naming the key', () => {
    assert.deepEqual(
      problems({ scale: 'lstm' }).map((p) => p.key),
      ['distribution.scale'],
    );
  });
});

describe('distribution.head', () => {
  it('loads a configuration that still sets it, the key ignored with a warning that the scale head was removed', () => {
    // Prepare: what conf/base said while the network scale head existed
    const old = { distribution: { scale: 'linear', head: { weight: 1 } } };

    // Act
    const config = parseConfig(deepMerge(base, old));
    const warnings = dropRetiredKeys(structuredClone(old));

    // Assess
    assert.deepEqual(config, parseConfig(base));
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? '',
      /^distribution\.head is no longer read and was ignored: .*network scale head, which was removed .*; remove it from the file$/,
    );
  });
});

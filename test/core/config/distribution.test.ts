import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, deepMerge, parseConfig } from '../../../core/config/index.js';
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

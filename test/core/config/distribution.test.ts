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

describe('distribution.scale and the scale head settings', () => {
  it('accepts the network scale, with the head weight 1 unless set', () => {
    const config = parseConfig(deepMerge(base, { distribution: { scale: 'network' } }));
    assert.equal(config.distribution.scale, 'network');
    assert.deepEqual(config.distribution.head, { weight: 1 });
    const weighted = parseConfig(
      deepMerge(base, { distribution: { scale: 'network', head: { weight: 0.25 } } }),
    );
    assert.equal(weighted.distribution.head.weight, 0.25);
  });

  it('names the key and the reason of a bad head weight, or an unknown head key', () => {
    const [zero] = problems({ head: { weight: 0 } });
    assert.equal(zero?.key, 'distribution.head.weight');
    assert.match(zero?.reason ?? '', /above 0/);
    const [text] = problems({ head: { weight: 'heavy' } });
    assert.equal(text?.key, 'distribution.head.weight');
    assert.match(text?.reason ?? '', /expected a number/);
    assert.deepEqual(
      problems({ head: { weight: 1, lr: 3 } }).map((p) => p.key),
      ['distribution.head'],
    );
  });

  it('refuses a scale it does not know, naming the key', () => {
    assert.deepEqual(
      problems({ scale: 'lstm' }).map((p) => p.key),
      ['distribution.scale'],
    );
  });
});

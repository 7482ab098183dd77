import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, deepMerge } from '../../../core/config/index.js';
import { loadConfig } from '../../../adapters/config/yaml.js';
import { loadJsonConfig } from '../../../adapters/config/json.js';

function confDirWith(files: Record<string, string>, fileName = 'parameters.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'conf-'));
  for (const [env, text] of Object.entries(files)) {
    mkdirSync(join(dir, env));
    writeFileSync(join(dir, env, fileName), text);
  }
  return dir;
}

function problemKeys(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems.map((p) => p.key);
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads the production values of the original system from conf/base', () => {
    // Act
    const { config, env } = loadConfig({ env: 'base', environment: {} });

    // Assess
    assert.equal(env, 'base');
    assert.deepEqual(config.pairs, ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT']);
    assert.equal(config.market.interval, '1h');
    assert.equal(config.market.history_days, 365);
    assert.equal(config.features.sequence_length, 120);
    assert.equal(config.features.test_size, 0.1);
    assert.equal(config.features.val_size, 0.2);
    assert.equal(config.features.set, 'seed');
    assert.equal(config.training.train_batch_size, 64);
    assert.equal(config.training.hidden_size, 128);
    assert.equal(config.training.number_of_layers, 2);
    assert.equal(config.training.learning_rate, 1e-4);
    assert.equal(config.training.early_stopping_patience, 2);
    assert.equal(config.conversion.atol, 1e-5);
    assert.equal(config.conversion.rtol, 1e-3);
    assert.equal(config.exchange.id, 'binance');
  });

  it('lays conf/local over conf/base, chosen by MUR_ENV', () => {
    const { config, env } = loadConfig({ environment: { MUR_ENV: 'local' } });

    assert.equal(env, 'local');
    assert.equal(config.training.hidden_size, 16);
    // A key local does not set keeps its base value.
    assert.equal(config.training.weight_decay, 0.01);
    assert.equal(config.exchange.id, 'binance');
  });

  it('lets environment variables override YAML for deployment', () => {
    const { config, sources } = loadConfig({
      env: 'base',
      environment: {
        PAIRS: 'ETH/USDT, SOL/USDT',
        MODEL_BUCKET: 'prod-models',
        S3_ENDPOINT: 'http://127.0.0.1:9000',
      },
    });

    assert.deepEqual(config.pairs, ['ETH/USDT', 'SOL/USDT']);
    assert.equal(config.storage.bucket, 'prod-models');
    assert.equal(config.storage.endpoint, 'http://127.0.0.1:9000');
    assert.ok(sources.includes('$PAIRS'));
  });

  it('names the key and the reason of a bad value', () => {
    const dir = confDirWith({
      base: 'pairs: [BTC/USDT]\n',
      bad: 'training:\n  hidden_size: -3\n',
    });
    let message = '';
    try {
      loadConfig({ confDir: dir, env: 'bad', environment: {} });
    } catch (error) {
      message = String(error);
    }
    assert.match(message, /training\.hidden_size/);
    assert.match(message, /bad\/parameters\.yaml/);
  });

  it('reports a bad pair from the environment with its key path', () => {
    const keys = problemKeys(() => loadConfig({ env: 'base', environment: { PAIRS: 'btc-usdt' } }));
    assert.deepEqual(keys, ['pairs.0']);
  });

  it('reads the staleness settings from SCHEDULE_PERIOD_MINUTES and STALE_AFTER_PERIODS as integers', () => {
    // Act
    const { config, sources } = loadConfig({
      env: 'base',
      environment: { SCHEDULE_PERIOD_MINUTES: ' 120 ', STALE_AFTER_PERIODS: '4' },
    });

    // Assess
    assert.equal(config.serving.schedule_period_minutes, 120);
    assert.equal(config.serving.stale_after_periods, 4);
    assert.ok(sources.includes('$SCHEDULE_PERIOD_MINUTES') && sources.includes('$STALE_AFTER_PERIODS'));
    const base = loadConfig({ env: 'base', environment: {} }).config.serving;
    assert.deepEqual([base.schedule_period_minutes, base.stale_after_periods], [60, 3], 'unset: the YAML');
  });

  it('stops on a staleness setting that is not a whole number, naming the key and the variable', () => {
    // Act
    let error: unknown;
    try {
      loadConfig({ env: 'base', environment: { SCHEDULE_PERIOD_MINUTES: '1h', STALE_AFTER_PERIODS: '2.5' } });
    } catch (caught) {
      error = caught;
    }

    // Assess: both named at once, each with the value given
    assert.ok(error instanceof ConfigError, String(error));
    assert.deepEqual(
      error.problems.map((p) => p.key),
      ['serving.schedule_period_minutes', 'serving.stale_after_periods'],
    );
    assert.match(
      error.message,
      /serving\.schedule_period_minutes: \$SCHEDULE_PERIOD_MINUTES is "1h", expected a whole number/,
    );
    assert.match(
      error.message,
      /serving\.stale_after_periods: \$STALE_AFTER_PERIODS is "2\.5", expected a whole number/,
    );
    assert.match(error.message, /read from \$SCHEDULE_PERIOD_MINUTES, \$STALE_AFTER_PERIODS/);
  });

  it('stops on a whole number the schema refuses, naming the key', () => {
    const zero = problemKeys(() => loadConfig({ env: 'base', environment: { STALE_AFTER_PERIODS: '0' } }));
    const negative = problemKeys(() =>
      loadConfig({ env: 'base', environment: { SCHEDULE_PERIOD_MINUTES: '-60' } }),
    );
    assert.deepEqual(zero, ['serving.stale_after_periods']);
    assert.deepEqual(negative, ['serving.schedule_period_minutes']);
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    const dir = confDirWith({ base: 'pairs: [BTC/USDT]\n', typo: 'training:\n  hiden_size: 8\n' });
    const base = loadConfig({ env: 'base', environment: {} });
    writeFileSync(
      join(dir, 'base', 'parameters.yaml'),
      JSON.stringify(base.config), // JSON is YAML: a complete, valid base
    );
    const keys = problemKeys(() => loadConfig({ confDir: dir, env: 'typo', environment: {} }));
    assert.deepEqual(keys, ['training']);
  });

  it('loads a file that sets a retired key, ignoring the key with a warning that names it', () => {
    const base = loadConfig({ env: 'base', environment: {} });
    const dir = confDirWith({
      base: JSON.stringify(base.config),
      old: 'features:\n  target: close\ntraining:\n  val_batch_size: 1\n  number_of_features: 9\n',
    });

    const old = loadConfig({ confDir: dir, env: 'old', environment: {} });

    assert.deepEqual(old.config, base.config);
    assert.deepEqual(
      old.warnings.map((warning) => warning.split(' ')[0]),
      ['features.target', 'training.number_of_features', 'training.val_batch_size'],
    );
    assert.match(old.warnings[2] ?? '', /no longer read and was ignored: .*remove it from the file/);
    assert.deepEqual(base.warnings, [], 'conf/base sets no retired key');
  });

  it('refuses early_stopping_patience 0, which used to be treated as 1', () => {
    const dir = confDirWith({
      base: JSON.stringify(loadConfig({ env: 'base', environment: {} }).config),
      zero: 'training:\n  early_stopping_patience: 0\n',
    });
    const keys = problemKeys(() => loadConfig({ confDir: dir, env: 'zero', environment: {} }));
    assert.deepEqual(keys, ['training.early_stopping_patience']);
  });

  it('reports a missing key', () => {
    const dir = confDirWith({ base: 'pairs: [BTC/USDT]\n' });
    const keys = problemKeys(() => loadConfig({ confDir: dir, env: 'base', environment: {} }));
    assert.ok(keys.includes('exchange'));
    assert.ok(keys.includes('training'));
  });

  it('stops on an environment without a folder', () => {
    const keys = problemKeys(() => loadConfig({ env: 'staging', environment: {} }));
    assert.deepEqual(keys, ['MUR_ENV']);
  });

  it('stops on a file that is not YAML', () => {
    const dir = confDirWith({ base: 'pairs: [BTC/USDT\n' });
    assert.throws(() => loadConfig({ confDir: dir, env: 'base', environment: {} }), /not valid YAML/);
  });
});

describe('loadJsonConfig (a Lambda bundle)', () => {
  it('reads parameters.json, not the YAML beside it, with the same environment overrides', () => {
    const dir = confDirWith({ base: readFileSync(join('conf', 'base', 'parameters.yaml'), 'utf8') });
    writeFileSync(
      join(dir, 'base', 'parameters.json'),
      JSON.stringify({ ...loadConfig({ env: 'base', environment: {} }).config, pairs: ['ETH/USDT'] }),
    );

    const loaded = loadJsonConfig({ confDir: dir, env: 'base', environment: { MODEL_BUCKET: 'from-env' } });

    assert.deepEqual(loaded.config.pairs, ['ETH/USDT']);
    assert.equal(loaded.config.storage.bucket, 'from-env');
    assert.deepEqual(loaded.sources, [join(dir, 'base', 'parameters.json'), '$MODEL_BUCKET']);
  });

  it('stops on a file that is not JSON, naming it', () => {
    const dir = confDirWith({ base: '{"pairs": [' }, 'parameters.json');
    assert.throws(
      () => loadJsonConfig({ confDir: dir, env: 'base', environment: {} }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes(join(dir, 'base', 'parameters.json')) &&
        error.message.includes('not valid JSON'),
    );
  });
});

describe('deepMerge', () => {
  it('merges mappings key by key and replaces lists', () => {
    const merged = deepMerge({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] });
    assert.deepEqual(merged, { a: { b: 1, c: 3 }, l: [9] });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  INFRA_CONTEXT_KEYS,
  InfraConfigError,
  parseRate,
  readInfraConfig,
  schedulePeriodSeconds,
  type InfraConfig,
} from '../../../infra/lib/config.js';
import { cdkContext } from '../support.js';

/** cdk.json's context with `overrides` over it, as `-c key=value` lays them. */
function read(overrides: Record<string, unknown> = {}): InfraConfig {
  const context = { ...cdkContext(), ...overrides };
  return readInfraConfig((key) => context[key]);
}

function badKeys(overrides: Record<string, unknown>): string[] {
  try {
    read(overrides);
  } catch (error) {
    assert.ok(error instanceof InfraConfigError, `expected InfraConfigError, got ${String(error)}`);
    return [...error.keys];
  }
  assert.fail(`expected ${JSON.stringify(overrides)} to be refused`);
}

describe('readInfraConfig', () => {
  it("reads cdk.json's defaults: hourly GPU training of the three original pairs, x86_64 functions", () => {
    // Act
    const config = read();

    // Assess
    assert.deepEqual(config.pairs, ['BTC/USDT', 'ETH/USDT', 'CHZ/USDT']);
    assert.equal(config.schedule, 'rate(1 hour)');
    assert.equal(config.compute, 'gpu');
    assert.deepEqual(config.gpuInstanceTypes, ['g4dn', 'g5']);
    assert.equal(config.spot, false);
    assert.equal(config.architecture, 'x86_64');
    assert.equal(config.quotaPerMonth, 1000);
    assert.equal(config.retainBucket, true);
    assert.equal(config.alarmEmail, '');
  });

  it('defines every key in cdk.json, so that an operator sees every setting there', () => {
    const context = cdkContext();
    assert.deepEqual(
      INFRA_CONTEXT_KEYS.filter((key) => !(key in context)),
      [],
    );
  });

  it('accepts the text forms that `-c key=value` gives: numbers, booleans and lists', () => {
    // Act
    const config = read({
      maxVcpus: '64',
      spot: 'true',
      retainBucket: 'false',
      pairs: 'BTC/USDT, SOL/USDT',
      gpuInstanceTypes: '["g5.xlarge","g6"]',
      throttleRateLimit: '2.5',
    });

    // Assess
    assert.equal(config.maxVcpus, 64);
    assert.equal(config.spot, true);
    assert.equal(config.retainBucket, false);
    assert.deepEqual(config.pairs, ['BTC/USDT', 'SOL/USDT']);
    assert.deepEqual(config.gpuInstanceTypes, ['g5.xlarge', 'g6']);
    assert.equal(config.throttleRateLimit, 2.5);
  });

  it('names every bad key, and says how to set it', () => {
    // Act
    let message = '';
    try {
      read({ maxVcpus: 'lots', compute: 'tpu', pairs: 'BTC-USDT' });
    } catch (error) {
      message = (error as Error).message;
    }

    // Assess
    assert.match(message, /maxVcpus: .*\(got "lots"\)/);
    assert.match(message, /compute: .*\(got "tpu"\)/);
    assert.match(message, /pairs.*BASE\/QUOTE/);
    assert.match(message, /-c key=value/);
  });

  it('names a key that cdk.json lacks', () => {
    const context: Record<string, unknown> = { ...cdkContext() };
    delete context['quotaPerMonth'];
    assert.throws(() => readInfraConfig((key) => context[key]), /quotaPerMonth: .*\(got nothing\)/);
  });

  it('refuses instance types that cannot run the training image in the chosen mode', () => {
    assert.deepEqual(badKeys({ gpuInstanceTypes: ['c6i'] }), ['gpuInstanceTypes']);
    assert.deepEqual(badKeys({ gpuInstanceTypes: ['g4ad'] }), ['gpuInstanceTypes']);
    assert.deepEqual(badKeys({ gpuInstanceTypes: ['g5g.xlarge'] }), ['gpuInstanceTypes']);
    assert.deepEqual(badKeys({ cpuInstanceTypes: ['g5'] }), ['cpuInstanceTypes']);
    assert.deepEqual(badKeys({ cpuInstanceTypes: ['c7g'] }), ['cpuInstanceTypes']);
  });

  it('refuses limits that contradict each other or exceed what the services accept', () => {
    assert.deepEqual(badKeys({ jobVcpus: 64, maxVcpus: 32 }), ['jobVcpus']);
    assert.deepEqual(badKeys({ throttleRateLimit: 50, throttleBurstLimit: 10 }), ['throttleBurstLimit']);
    assert.deepEqual(badKeys({ functionTimeoutSeconds: 60 }), ['functionTimeoutSeconds']);
    assert.deepEqual(badKeys({ logRetentionDays: 10 }), ['logRetentionDays']);
    assert.deepEqual(badKeys({ modelPrefix: 'no-trailing-slash' }), ['modelPrefix']);
    assert.deepEqual(badKeys({ alarmEmail: 'ops' }), ['alarmEmail']);
    assert.deepEqual(badKeys({ pairs: ['BTC/USDT', 'BTC/USDT'] }), ['pairs']);
  });

  it('accepts a cron schedule only with the minutes between runs, which the staleness alarm needs', () => {
    assert.deepEqual(badKeys({ schedule: 'cron(5 * * * ? *)' }), ['schedulePeriodMinutes']);
    const config = read({ schedule: 'cron(5 * * * ? *)', schedulePeriodMinutes: '60' });
    assert.equal(schedulePeriodSeconds(config.schedule, config.schedulePeriodMinutes), 3600);
  });

  it("refuses a staleness window beyond CloudWatch's alarm limit", () => {
    assert.deepEqual(badKeys({ schedule: 'rate(3 days)' }), ['stalenessPeriods']);
    assert.deepEqual(badKeys({ schedule: 'rate(30 minutes)', stalenessPeriods: 60 }), ['stalenessPeriods']);
  });
});

describe('parseRate', () => {
  it('reads the seconds between runs of a rate expression', () => {
    assert.equal(parseRate('rate(1 hour)'), 3600);
    assert.equal(parseRate('rate(30 minutes)'), 1800);
    assert.equal(parseRate('rate(2 days)'), 172_800);
  });

  it('refuses what EventBridge refuses: the plural for 1, the singular for more, no unit, zero', () => {
    for (const bad of ['rate(1 hours)', 'rate(2 hour)', 'rate(1)', 'rate(0 minutes)', 'cron(0 * * * ? *)']) {
      assert.equal(parseRate(bad), undefined, bad);
    }
    assert.deepEqual(badKeys({ schedule: 'rate(1 hours)' }), ['schedule']);
  });
});

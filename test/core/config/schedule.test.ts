import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScheduleConfigSchema, parseRate, schedulePeriodSeconds } from '../../../core/config/schedule.js';

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
  });
});

describe('schedulePeriodSeconds', () => {
  it('reads a rate, and a cron expression through its period_minutes', () => {
    assert.equal(schedulePeriodSeconds({ expression: 'rate(1 hour)', period_minutes: null }), 3600);
    assert.equal(schedulePeriodSeconds({ expression: 'cron(5 * * * ? *)', period_minutes: 60 }), 3600);
  });

  it('refuses EventBridge expressions EventBridge refuses, and a cron without its period', () => {
    assert.equal(
      ScheduleConfigSchema.safeParse({ expression: 'rate(1 hours)', period_minutes: null }).success,
      false,
    );
    assert.equal(
      ScheduleConfigSchema.safeParse({ expression: 'cron(5 * * * ? *)', period_minutes: null }).success,
      false,
    );
    assert.equal(
      ScheduleConfigSchema.safeParse({ expression: 'rate(2 hours)', period_minutes: 60 }).success,
      false,
    );
  });
});

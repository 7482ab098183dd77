import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  FeatureError,
  calendarFeatures,
  dayOfMonth,
  dayOfWeek,
  monthOfYear,
  weekOfYear,
} from '../../../core/features/index.js';
import { HOUR_MS } from '../../../core/market/candle.js';

const DAY_MS = 24 * HOUR_MS;

// [UTC instant, day_of_week (Monday = 0), day_of_month, ISO week, month], checked against a calendar by hand.
const KNOWN_DATES: readonly (readonly [string, number, number, number, number])[] = [
  ['2021-01-01T00:00:00Z', 4, 1, 53, 1], // a Friday: its week's Thursday is 31 Dec 2020, so week 53 of 2020
  ['2020-12-28T12:00:00Z', 0, 28, 53, 12], // the Monday that starts that week 53
  ['2021-01-03T23:00:00Z', 6, 3, 53, 1], // last hour of week 53, a Sunday
  ['2021-01-04T00:00:00Z', 0, 4, 1, 1], // first hour of week 1 of 2021, a Monday
  ['2024-12-31T23:00:00Z', 1, 31, 1, 12], // a Tuesday in week 1 of 2025 (its Thursday is 2 Jan 2025)
  ['2025-12-29T00:00:00Z', 0, 29, 1, 12], // a Monday in week 1 of 2026
  ['2024-03-10T05:00:00Z', 6, 10, 10, 3], // a Sunday; 2024 starts on a Monday, so 10 March is in week 10
  ['2024-02-29T08:00:00Z', 3, 29, 9, 2], // leap day, a Thursday
  ['2026-01-01T00:00:00Z', 3, 1, 1, 1], // a year that starts on Thursday: 1 January is in week 1
  ['2027-01-01T00:00:00Z', 4, 1, 53, 1], // 2026 has 53 weeks
  ['2015-12-31T00:00:00Z', 3, 31, 53, 12], // a Thursday in week 53 of 2015
  ['2008-12-29T00:00:00Z', 0, 29, 1, 12], // a Monday in week 1 of 2009
];

describe('calendar features', () => {
  for (const [iso, dow, dom, week, month] of KNOWN_DATES) {
    it(`reads ${iso} as day ${dow}, date ${dom}, week ${week}, month ${month}`, () => {
      // Prepare
      const ms = Date.parse(iso);

      // Act
      const features = calendarFeatures(ms);

      // Assess
      assert.deepEqual(features, { dayOfWeek: dow, dayOfMonth: dom, weekOfYear: week, monthOfYear: month });
      assert.deepEqual(
        [dayOfWeek(ms), dayOfMonth(ms), weekOfYear(ms), monthOfYear(ms)],
        [dow, dom, week, month],
      );
    });
  }

  it('counts Monday as 0 and Sunday as 6 through a whole week', () => {
    const monday = Date.UTC(2021, 0, 4);
    const days = Array.from({ length: 7 }, (_, i) => dayOfWeek(monday + i * DAY_MS + 13 * HOUR_MS));
    assert.deepEqual(days, [0, 1, 2, 3, 4, 5, 6]);
  });

  it('changes day and week at midnight UTC, not before', () => {
    const sunday = Date.UTC(2021, 0, 3);
    for (let hour = 0; hour < 24; hour += 1) {
      assert.deepEqual([dayOfWeek(sunday + hour * HOUR_MS), weekOfYear(sunday + hour * HOUR_MS)], [6, 53]);
    }
    assert.deepEqual([dayOfWeek(sunday + DAY_MS), weekOfYear(sunday + DAY_MS)], [0, 1]);
    assert.equal(dayOfMonth(Date.UTC(2021, 0, 31, 23)), 31);
    assert.equal(dayOfMonth(Date.UTC(2021, 0, 31, 24)), 1);
    assert.equal(monthOfYear(Date.UTC(2021, 0, 31, 24)), 2);
  });

  it('does not depend on the process time zone', () => {
    // Prepare: a time near midnight UTC, where any local-time getter would give another day
    const ms = Date.parse('2021-01-03T23:00:00Z');
    const saved = process.env.TZ;
    const seen: unknown[] = [];
    try {
      // Act
      for (const zone of ['UTC', 'Pacific/Kiritimati', 'America/Adak']) {
        process.env.TZ = zone;
        seen.push(calendarFeatures(ms));
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }

    // Assess
    for (const features of seen) {
      assert.deepEqual(features, { dayOfWeek: 6, dayOfMonth: 3, weekOfYear: 53, monthOfYear: 1 });
    }
  });

  it('moves the ISO week only on Mondays, to the next week or back to 1 (2000-2040)', () => {
    let previous = weekOfYear(Date.UTC(2000, 0, 1));
    for (let day = Date.UTC(2000, 0, 2); day < Date.UTC(2040, 0, 1); day += DAY_MS) {
      const week = weekOfYear(day);
      if (dayOfWeek(day) === 0) {
        assert.ok(
          week === previous + 1 || (week === 1 && previous >= 52),
          `week ${previous} -> ${week} on ${day}`,
        );
      } else {
        assert.equal(
          week,
          previous,
          `week changed on a day that is not a Monday: ${new Date(day).toISOString()}`,
        );
      }
      previous = week;
    }
  });

  it('rejects a timestamp that is not a time', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 9e15]) {
      assert.throws(() => calendarFeatures(bad), FeatureError);
    }
  });
});

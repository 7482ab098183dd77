import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { HOUR_MS } from '../../../core/market/candle.js';
import type { Candle } from '../../../core/market/candle.js';
import { CandleValidationError } from '../../../core/market/errors.js';
import type { CandleProblem } from '../../../core/market/errors.js';
import { describeValidationReport, validateCandles } from '../../../core/market/validate.js';

const T0 = Date.UTC(2024, 0, 1);
const FAIL = { gapPolicy: 'fail', maxFillGap: 0 } as const;

/** Hourly candles from T0 with the given closes; each opens at the previous close. */
function series(closes: readonly number[]): Candle[] {
  return closes.map((close, k) => {
    const open = k === 0 ? close : (closes[k - 1] as number);
    return {
      openTime: T0 + k * HOUR_MS,
      open,
      high: Math.max(open, close) + 1,
      low: Math.min(open, close) - 1,
      close,
      volume: 10,
    };
  });
}

function problemsOf(
  candles: readonly Candle[],
  options = FAIL as Parameters<typeof validateCandles>[2],
): CandleProblem[] {
  try {
    validateCandles(candles, HOUR_MS, options);
  } catch (error) {
    assert.ok(error instanceof CandleValidationError, String(error));
    return [...error.problems];
  }
  assert.fail('expected a CandleValidationError');
}

function kinds(problems: readonly CandleProblem[]): [string, number][] {
  return problems.map((p) => [p.kind, p.index]);
}

describe('validateCandles', () => {
  it('accepts a clean series and returns a copy with a report', () => {
    // Prepare
    const candles = series([100, 101, 102]);

    // Act
    const { candles: output, report } = validateCandles(candles, HOUR_MS, FAIL);

    // Assess
    assert.deepEqual(output, candles);
    assert.notEqual(output[0], candles[0]);
    assert.deepEqual(report, {
      inputCount: 3,
      outputCount: 3,
      filledCount: 0,
      filledGaps: [],
      first: T0,
      last: T0 + 2 * HOUR_MS,
    });
    assert.equal(
      describeValidationReport(report),
      '3 candles from 2024-01-01T00:00:00.000Z to 2024-01-01T02:00:00.000Z, no gaps',
    );
  });

  it('accepts an empty series', () => {
    const { candles, report } = validateCandles([], HOUR_MS, FAIL);
    assert.deepEqual(candles, []);
    assert.equal(report.first, null);
  });

  it('reports a gap under the fail policy, with where and how many', () => {
    const candles = series([100, 101, 102, 103]);
    candles.splice(1, 2); // 01:00 and 02:00 missing

    const problems = problemsOf(candles);

    assert.deepEqual(kinds(problems), [['gap', 1]]);
    assert.equal(problems[0]?.openTime, T0 + HOUR_MS);
    assert.match(
      problems[0]?.message ?? '',
      /2 candle\(s\) missing, 2024-01-01T01:00:00.000Z to 2024-01-01T02:00:00.000Z/,
    );
  });

  it('fills short gaps with flat candles at the previous close and no volume', () => {
    const full = series([100, 101, 102, 103, 104, 105]);
    const candles = [full[0], full[3], full[4], full[5]] as Candle[]; // 01:00 and 02:00 missing
    candles.splice(2, 1); // and 04:00

    const { candles: output, report } = validateCandles(candles, HOUR_MS, {
      gapPolicy: 'fill',
      maxFillGap: 2,
    });

    assert.deepEqual(
      output.map((c) => c.openTime),
      [0, 1, 2, 3, 4, 5].map((k) => T0 + k * HOUR_MS),
    );
    const flat = (k: number, price: number): Candle => ({
      openTime: T0 + k * HOUR_MS,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: 0,
    });
    assert.deepEqual(output[1], flat(1, 100));
    assert.deepEqual(output[2], flat(2, 100));
    assert.deepEqual(output[4], flat(4, 103));
    assert.deepEqual(report.filledGaps, [
      { from: T0 + HOUR_MS, count: 2, price: 100 },
      { from: T0 + 4 * HOUR_MS, count: 1, price: 103 },
    ]);
    assert.equal(report.filledCount, 3);
    assert.equal(report.inputCount, 3);
    assert.equal(report.outputCount, 6);
    assert.match(
      describeValidationReport(report),
      /filled 3 missing candle\(s\) in 2 gap\(s\) .*2024-01-01T01:00:00.000Z \(2\), 2024-01-01T04:00:00.000Z \(1\)/,
    );
  });

  it('refuses, under the fill policy, a gap longer than maxFillGap', () => {
    const full = series([100, 101, 102, 103, 104, 105]);
    const candles = [full[0], full[4], full[5]] as Candle[]; // three missing

    const problems = problemsOf(candles, { gapPolicy: 'fill', maxFillGap: 2 });

    assert.deepEqual(kinds(problems), [['gap', 1]]);
    assert.match(problems[0]?.message ?? '', /3 candle\(s\) missing.*max_fill_gap/);
  });

  it('fills nothing when maxFillGap is 0', () => {
    const candles = series([100, 101, 102]);
    candles.splice(1, 1);
    assert.deepEqual(kinds(problemsOf(candles, { gapPolicy: 'fill', maxFillGap: 0 })), [['gap', 1]]);
  });

  it('reports a duplicate time', () => {
    const candles = series([100, 101, 102]);
    candles.splice(2, 0, { ...(candles[1] as Candle) });
    assert.deepEqual(kinds(problemsOf(candles)), [['duplicate', 2]]);
  });

  it('reports a candle out of order once, not also as a gap', () => {
    const candles = series([100, 101, 102, 103]);
    [candles[1], candles[2]] = [candles[2] as Candle, candles[1] as Candle];
    // 00:00, 02:00, 01:00, 03:00: the step to 02:00 looks like a gap, and is one until 01:00 arrives late.
    assert.deepEqual(kinds(problemsOf(candles)), [
      ['gap', 1],
      ['unordered', 2],
    ]);
  });

  it('reports a candle not a whole number of intervals after the previous', () => {
    const candles = series([100, 101, 102]);
    candles[2] = { ...(candles[2] as Candle), openTime: T0 + HOUR_MS + 30 * 60_000 };
    assert.deepEqual(kinds(problemsOf(candles)), [['misaligned', 2]]);
  });

  it('reports values that are not finite, naming them', () => {
    const candles = series([100, 101, 102]);
    candles[1] = { ...(candles[1] as Candle), close: Number.NaN, volume: Number.POSITIVE_INFINITY };

    const problems = problemsOf(candles);

    assert.deepEqual(kinds(problems), [['non_finite', 1]]);
    assert.match(problems[0]?.message ?? '', /close is NaN, volume is Infinity/);
  });

  it('reports prices at or below zero', () => {
    const candles = series([100, 101, 102]);
    candles[1] = { ...(candles[1] as Candle), low: 0 };
    candles[2] = { ...(candles[2] as Candle), open: -1, low: -2 };
    assert.deepEqual(kinds(problemsOf(candles)), [
      ['non_positive', 1],
      ['non_positive', 2],
    ]);
  });

  it('reports a negative volume', () => {
    const candles = series([100, 101]);
    candles[1] = { ...(candles[1] as Candle), volume: -5 };
    assert.deepEqual(kinds(problemsOf(candles)), [['negative_volume', 1]]);
  });

  it('reports high below low', () => {
    const candles = series([100, 101]);
    candles[0] = { ...(candles[0] as Candle), high: 90, low: 110 };
    assert.deepEqual(kinds(problemsOf(candles)), [['high_below_low', 0]]);
  });

  it('reports open and close outside [low, high]', () => {
    const candles = series([100, 101, 102]);
    candles[1] = { ...(candles[1] as Candle), open: 150 };
    candles[2] = { ...(candles[2] as Candle), close: 50 };
    assert.deepEqual(kinds(problemsOf(candles)), [
      ['open_outside_range', 1],
      ['close_outside_range', 2],
    ]);
  });

  it('accepts a flat candle with no volume, as filling makes', () => {
    const candles = series([100, 100]);
    candles[1] = { openTime: T0 + HOUR_MS, open: 100, high: 100, low: 100, close: 100, volume: 0 };
    assert.equal(validateCandles(candles, HOUR_MS, FAIL).candles.length, 2);
  });

  it('accepts a candle exactly when every value rule holds, whatever its values', () => {
    const value = fc.oneof(
      fc.double({ min: -10, max: 10 }),
      fc.constantFrom(0, -0, 1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    );
    fc.assert(
      fc.property(value, value, value, value, value, (open, high, low, close, volume) => {
        const candle = { openTime: T0, open, high, low, close, volume };
        const prices = [open, high, low, close];
        const sound =
          [...prices, volume].every(Number.isFinite) &&
          prices.every((price) => price > 0) &&
          volume >= 0 &&
          low <= high &&
          open >= low &&
          open <= high &&
          close >= low &&
          close <= high;
        let accepted = true;
        try {
          validateCandles([candle], HOUR_MS, FAIL);
        } catch (error) {
          assert.ok(error instanceof CandleValidationError);
          accepted = false;
        }
        assert.equal(accepted, sound, JSON.stringify(candle));
      }),
      { numRuns: 2_000 },
    );
  });

  it('lists the first 10 problems and counts all of them', () => {
    const candles = series(Array.from({ length: 15 }, () => 100)).map((c) => ({ ...c, volume: -1 }));

    assert.throws(
      () => validateCandles(candles, HOUR_MS, { ...FAIL, source: 'binance BTC/USDT' }),
      (error: unknown) =>
        error instanceof CandleValidationError &&
        error.problems.length === 15 &&
        error.message.startsWith(
          'Invalid candles from binance BTC/USDT: 15 problem(s) (15 negative_volume):',
        ) &&
        error.message.includes('... and 5 more') &&
        error.message.split('\n').length === 12,
    );
  });

  it('refuses a timeframe that is not a positive whole number of ms', () => {
    assert.throws(() => validateCandles([], 0, FAIL), RangeError);
  });
});

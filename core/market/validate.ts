import type { Candle } from './candle.js';
import { CandleValidationError } from './errors.js';
import type { CandleProblem } from './errors.js';

export interface ValidateCandlesOptions {
  /** `fail`: any missing candle is a problem; `fill`: short runs are repaired with flat candles. */
  readonly gapPolicy: 'fail' | 'fill';
  /** Longest run of consecutive missing candles that `fill` repairs. */
  readonly maxFillGap: number;
  /** Where the candles came from, for the error message (a file, "binance BTC/USDT"). */
  readonly source?: string;
}

/** One run of missing candles that was repaired. */
export interface FilledGap {
  /** Open time of the first missing candle. */
  readonly from: number;
  /** Number of consecutive candles inserted. */
  readonly count: number;
  /** The close they repeat: that of the candle before the gap. */
  readonly price: number;
}

export interface ValidationReport {
  readonly inputCount: number;
  readonly outputCount: number;
  readonly filledCount: number;
  readonly filledGaps: readonly FilledGap[];
  /** Open times of the first and last candle of the output, or null when it is empty. */
  readonly first: number | null;
  readonly last: number | null;
}

export interface ValidatedCandles {
  readonly candles: Candle[];
  readonly report: ValidationReport;
}

interface Gap {
  readonly index: number;
  readonly from: number;
  readonly count: number;
}

/**
 * Checks a candle series (ascending, one candle per interval, sane prices) and, under
 * the `fill` policy, repairs short gaps with flat candles at the previous close and no
 * volume. Throws CandleValidationError listing every problem otherwise.
 */
export function validateCandles(
  candles: readonly Candle[],
  timeframeMs: number,
  options: ValidateCandlesOptions,
): ValidatedCandles {
  if (!Number.isInteger(timeframeMs) || timeframeMs <= 0) {
    throw new RangeError(`timeframeMs must be a positive integer, got ${timeframeMs}`);
  }
  const { problems, gaps } = inspect(candles, timeframeMs);
  const toFill: Gap[] = [];
  for (const gap of gaps) {
    if (options.gapPolicy === 'fill' && gap.count <= options.maxFillGap) {
      toFill.push(gap);
    } else {
      problems.push(gapProblem(gap, timeframeMs, options));
    }
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.index - b.index);
    throw new CandleValidationError(problems, options.source === undefined ? {} : { source: options.source });
  }

  const output = fill(candles, toFill, timeframeMs);
  const filledGaps = toFill.map((gap) => ({
    from: gap.from,
    count: gap.count,
    price: (candles[gap.index - 1] as Candle).close,
  }));
  return {
    candles: output,
    report: {
      inputCount: candles.length,
      outputCount: output.length,
      filledCount: filledGaps.reduce((sum, gap) => sum + gap.count, 0),
      filledGaps,
      first: output[0]?.openTime ?? null,
      last: output.at(-1)?.openTime ?? null,
    },
  };
}

/** One or two lines for a person: what was checked and what was filled. */
export function describeValidationReport(report: ValidationReport): string {
  const span =
    report.first === null || report.last === null
      ? 'no candles'
      : `${report.outputCount} candles from ${iso(report.first)} to ${iso(report.last)}`;
  if (report.filledCount === 0) return `${span}, no gaps`;
  const where = report.filledGaps.map((gap) => `${iso(gap.from)} (${gap.count})`).join(', ');
  return (
    `${span}; filled ${report.filledCount} missing candle(s) in ${report.filledGaps.length} gap(s) ` +
    `with flat candles at the previous close: ${where}`
  );
}

function inspect(
  candles: readonly Candle[],
  timeframeMs: number,
): { problems: CandleProblem[]; gaps: Gap[] } {
  const problems: CandleProblem[] = [];
  const gaps: Gap[] = [];
  // The latest time seen so far, not just the previous candle's: one candle out of
  // place must be reported once, not also as a gap before the candle after it.
  let latest: number | null = null;
  candles.forEach((candle, index) => {
    problems.push(...valueProblems(candle, index));
    const time = candle.openTime;
    if (!Number.isFinite(time)) return;
    if (latest !== null) {
      const step = time - latest;
      if (step === 0) {
        problems.push(problem('duplicate', index, time, `repeats the open time of an earlier candle`));
      } else if (step < 0) {
        problems.push(problem('unordered', index, time, `comes after a candle opened at ${iso(latest)}`));
      } else if (step % timeframeMs !== 0) {
        problems.push(
          problem(
            'misaligned',
            index,
            time,
            `opens ${step} ms after ${iso(latest)}, not a whole number of candles`,
          ),
        );
      } else if (step > timeframeMs) {
        gaps.push({ index, from: latest + timeframeMs, count: step / timeframeMs - 1 });
      }
    }
    if (latest === null || time > latest) latest = time;
  });
  return { problems, gaps };
}

const NO_PROBLEMS: readonly CandleProblem[] = Object.freeze([]);

function valueProblems(candle: Candle, index: number): readonly CandleProblem[] {
  const { openTime, open, high, low, close, volume } = candle;
  // A sound candle, the usual case, without building the entries the messages need: the predictor
  // validates its window on every request (measured: 84 µs of a 1.2 ms warm prediction before this).
  if (
    Number.isFinite(openTime) &&
    Number.isFinite(volume) &&
    volume >= 0 &&
    low > 0 &&
    low <= high &&
    high < Number.POSITIVE_INFINITY &&
    open >= low &&
    open <= high &&
    close >= low &&
    close <= high
  ) {
    return NO_PROBLEMS;
  }
  const fields = { openTime, open, high, low, close, volume };
  const nonFinite = Object.entries(fields).filter(([, value]) => !Number.isFinite(value));
  if (nonFinite.length > 0) {
    const what = nonFinite.map(([name, value]) => `${name} is ${String(value)}`).join(', ');
    return [problem('non_finite', index, openTime, what)];
  }
  const found: CandleProblem[] = [];
  const nonPositive = Object.entries({ open, high, low, close }).filter(([, value]) => value <= 0);
  if (nonPositive.length > 0) {
    const what = nonPositive.map(([name, value]) => `${name} is ${value}`).join(', ');
    found.push(problem('non_positive', index, openTime, `${what}; prices must be above 0`));
  }
  if (volume < 0) found.push(problem('negative_volume', index, openTime, `volume is ${volume}`));
  if (high < low) {
    found.push(problem('high_below_low', index, openTime, `high ${high} is below low ${low}`));
  } else {
    if (open < low || open > high) {
      found.push(
        problem('open_outside_range', index, openTime, `open ${open} is outside [low ${low}, high ${high}]`),
      );
    }
    if (close < low || close > high) {
      found.push(
        problem(
          'close_outside_range',
          index,
          openTime,
          `close ${close} is outside [low ${low}, high ${high}]`,
        ),
      );
    }
  }
  return found;
}

function gapProblem(gap: Gap, timeframeMs: number, options: ValidateCandlesOptions): CandleProblem {
  const last = gap.from + (gap.count - 1) * timeframeMs;
  const why =
    options.gapPolicy === 'fail'
      ? 'gap policy is fail'
      : `longer than the ${options.maxFillGap} that the fill policy repairs (max_fill_gap)`;
  const span = gap.count === 1 ? iso(gap.from) : `${iso(gap.from)} to ${iso(last)}`;
  return {
    kind: 'gap',
    index: gap.index,
    openTime: gap.from,
    message: `before candle ${gap.index}: ${gap.count} candle(s) missing, ${span}; ${why}`,
  };
}

function fill(candles: readonly Candle[], gaps: readonly Gap[], timeframeMs: number): Candle[] {
  const output: Candle[] = [];
  let next = 0;
  candles.forEach((candle, index) => {
    const gap = gaps[next];
    if (gap !== undefined && gap.index === index) {
      const price = (candles[index - 1] as Candle).close;
      for (let k = 0; k < gap.count; k++) {
        const openTime = gap.from + k * timeframeMs;
        output.push({ openTime, open: price, high: price, low: price, close: price, volume: 0 });
      }
      next++;
    }
    output.push({ ...candle });
  });
  return output;
}

function problem(
  kind: CandleProblem['kind'],
  index: number,
  openTime: number,
  detail: string,
): CandleProblem {
  return { kind, index, openTime, message: `candle ${index} (${iso(openTime)}): ${detail}` };
}

function iso(time: number): string {
  return Number.isFinite(time) ? new Date(time).toISOString() : String(time);
}

import type { Pair } from '../../../core/config/index.js';
import { PipelineError } from './errors.js';

/** Base of the errors of a panel: candles of several pairs for the same hours. */
export class PanelError extends PipelineError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PanelError';
  }
}

/** What the caller asked for cannot be a panel: no pairs, a pair twice, files and pairs that do not pair up. */
export class PanelInputError extends PanelError {
  public constructor(message: string) {
    super(message);
    this.name = 'PanelInputError';
  }
}

/** One pair left out of a panel, and why. */
export interface PanelFailure {
  readonly pair: Pair;
  /** One line for a person: the error's message, and its cause's when the message lacks it. */
  readonly reason: string;
  readonly error: Error;
}

/** No pair's candles could be loaded: every pair with its reason. */
export class PanelLoadError extends PanelError {
  public readonly failures: readonly PanelFailure[];

  public constructor(failures: readonly PanelFailure[]) {
    const lines = failures.map((failure) => `  - ${failure.pair}: ${failure.reason}`);
    super(`no pair's candles could be loaded (${failures.length} pair(s)):\n${lines.join('\n')}`, {
      cause: failures[0]?.error,
    });
    this.name = 'PanelLoadError';
    this.failures = failures;
  }
}

/** A pair's own first and last open time (ms). */
export interface PairRange {
  readonly pair: Pair;
  readonly first: number;
  readonly last: number;
}

/** The loaded pairs share no hour: one starts after another ends. */
export class PanelRangeError extends PanelError {
  public readonly ranges: readonly PairRange[];

  public constructor(ranges: readonly PairRange[], hint: string) {
    const latestFirst = ranges.reduce((a, b) => (b.first > a.first ? b : a));
    const earliestLast = ranges.reduce((a, b) => (b.last < a.last ? b : a));
    const lines = ranges.map((range) => `  - ${range.pair}: ${iso(range.first)} to ${iso(range.last)}`);
    super(
      `the pairs share no hour: ${latestFirst.pair} starts at ${iso(latestFirst.first)}, after ` +
        `${earliestLast.pair} ends at ${iso(earliestLast.last)}${hint}:\n${lines.join('\n')}`,
    );
    this.name = 'PanelRangeError';
    this.ranges = ranges;
  }
}

/** A pair's candles inside the common range are not the common hours (a hole, or a candle off the grid). */
export class PanelAlignmentError extends PanelError {
  public readonly pair: Pair;
  /** The first hour (open time, ms) where the pair's candles and the common hours differ. */
  public readonly openTime: number;

  /** `expected`: the common hour at the first difference; `found`: the pair's candle there, if any. */
  public constructor(pair: Pair, expected: number, found: number | undefined) {
    const openTime = found === undefined ? expected : Math.min(expected, found);
    const what = found === undefined ? 'none' : `one opened at ${iso(found)}`;
    super(
      `${pair}: its candles differ from the panel's common hours at ${iso(openTime)} ` +
        `(expected a candle opened at ${iso(expected)}, found ${what}); ` +
        'every pair must have every hour of the common range',
    );
    this.name = 'PanelAlignmentError';
    this.pair = pair;
    this.openTime = openTime;
  }
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

/** Base of every error raised while getting or checking market data. */
export class MarketDataError extends Error {
  public override name = 'MarketDataError';
}

/** A timeframe string that cannot be turned into a duration. */
export class TimeframeError extends MarketDataError {
  public readonly timeframe: string;

  public constructor(timeframe: string, reason: string) {
    super(`Invalid timeframe "${timeframe}": ${reason}`);
    this.name = 'TimeframeError';
    this.timeframe = timeframe;
  }
}

export const CANDLE_PROBLEM_KINDS = [
  'gap',
  'duplicate',
  'unordered',
  'misaligned',
  'non_finite',
  'non_positive',
  'negative_volume',
  'high_below_low',
  'open_outside_range',
  'close_outside_range',
] as const;

export type CandleProblemKind = (typeof CANDLE_PROBLEM_KINDS)[number];

/** One thing wrong with one candle of a series. */
export interface CandleProblem {
  readonly kind: CandleProblemKind;
  /** Position of the offending candle in the input. */
  readonly index: number;
  /** Its open time in ms (UTC); for a gap, the open time of the first missing candle. */
  readonly openTime: number;
  readonly message: string;
}

/** A candle series that cannot be used as is; lists the problems found. */
export class CandleValidationError extends MarketDataError {
  /** The problems, in input order; all of them, even when the message shows only the first few. */
  public readonly problems: readonly CandleProblem[];

  public constructor(problems: readonly CandleProblem[], options: { source?: string; shown?: number } = {}) {
    const shown = options.shown ?? 10;
    const counts = countByKind(problems);
    const lines = problems.slice(0, shown).map((p) => `  - ${p.message}`);
    if (problems.length > shown) lines.push(`  ... and ${problems.length - shown} more`);
    const where = options.source === undefined ? '' : ` from ${options.source}`;
    super(`Invalid candles${where}: ${problems.length} problem(s) (${counts}):\n${lines.join('\n')}`);
    this.name = 'CandleValidationError';
    this.problems = problems;
  }
}

function countByKind(problems: readonly CandleProblem[]): string {
  const counts = new Map<CandleProblemKind, number>();
  for (const p of problems) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
}

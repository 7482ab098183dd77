import type { Pair } from '../../../core/config/index.js';
import type { Candle } from '../../../core/market/index.js';
import { PanelAlignmentError, PanelRangeError } from './panel-errors.js';

/** What the cut needs of a pair's series: its candles, oldest first, on the timeframe's grid. */
export interface PairCandles {
  readonly pair: Pair;
  readonly candles: readonly Candle[];
}

/** What the cut did to one pair. */
export interface PairCut {
  readonly pair: Pair;
  /** Its own first and last open time, before the cut. */
  readonly first: number;
  readonly last: number;
  /** Candles left out before and after the common range. */
  readonly lostBefore: number;
  readonly lostAfter: number;
}

export interface CommonHours<S extends PairCandles> {
  /** The series, in the order given, each with its candles cut to [from, to]: same length, same open times. */
  readonly series: (Omit<S, 'candles'> & { readonly candles: Candle[] })[];
  readonly cuts: readonly PairCut[];
  /** Open time of the first and last common candle. */
  readonly from: number;
  readonly to: number;
  /** Candles in [from, to] on the grid: the length of every cut series. */
  readonly count: number;
}

export interface CommonHoursOptions {
  /** Said after "the pairs share no hour: ..." when they do not, to tell how to get an overlap. */
  readonly noOverlapHint?: string;
}

/**
 * Cuts every series to the candles every one of them has: from the latest first open time to the
 * earliest last one. Each series must hold every candle of that range, one per `timeframeMs`, as
 * validated and gap-filled candles do; the first that does not is a PanelAlignmentError naming the pair
 * and the hour. Series that share no hour are a PanelRangeError listing each one's range.
 */
export function cutToCommonHours<S extends PairCandles>(
  input: readonly S[],
  timeframeMs: number,
  options: CommonHoursOptions = {},
): CommonHours<S> {
  if (input.length === 0) throw new RangeError('cutToCommonHours needs at least one series');
  const ranges = input.map(({ pair, candles }) => {
    const first = candles[0]?.openTime;
    const last = candles.at(-1)?.openTime;
    if (first === undefined || last === undefined) throw new RangeError(`${pair}: no candles to cut`);
    return { pair, first, last };
  });
  const from = Math.max(...ranges.map((range) => range.first));
  const to = Math.min(...ranges.map((range) => range.last));
  if (from > to) throw new PanelRangeError(ranges, options.noOverlapHint ?? '');
  const count = Math.floor((to - from) / timeframeMs) + 1;

  const cuts: PairCut[] = [];
  const series = input.map((item, k) => {
    const { candles } = item;
    const start = candles.findIndex((candle) => candle.openTime >= from);
    const end = candles.findLastIndex((candle) => candle.openTime <= to) + 1;
    const cut = candles.slice(start, end);
    for (let i = 0; i < Math.max(count, cut.length); i++) {
      const expected = from + i * timeframeMs;
      const found = cut[i]?.openTime;
      if (found !== expected) throw new PanelAlignmentError(item.pair, expected, found);
    }
    const range = ranges[k] as (typeof ranges)[number];
    cuts.push({ ...range, lostBefore: start, lostAfter: candles.length - end });
    return { ...item, candles: cut };
  });
  return { series, cuts, from, to, count };
}

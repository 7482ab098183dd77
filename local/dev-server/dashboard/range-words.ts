/**
 * The distribution of the next close in words a non-statistician reads: where the close should land
 * and how often, how often it did on held-out hours, and whether the range beats the standard
 * volatility estimate (B1, the RiskMetrics EWMA). Pure: the page test builds the same sentences from
 * the /predict answer it fetched itself.
 */
import type { PredictResponse } from '../../../functions/schemas/predict.js';
import { quotePrice, signedPercent } from './format.js';

type Distribution = PredictResponse['distribution'];
type Summary = PredictResponse['model']['distribution'];

/** Each central interval as a count of hours anyone can picture, instead of a percentage. */
export const HOW_OFTEN = { i80: '8 times in 10', i90: '9 times in 10', i95: '19 times in 20' } as const;

/** Whether the range deserves the page's green, red or plain box. */
export type Tone = 'good' | 'bad' | 'plain';

export interface RangeWords {
  /** Where the next close should land, nine times in ten, and how often it did. */
  readonly range: string;
  /** The range forecast against the standard volatility estimate. */
  readonly skill: string;
  readonly tone: Tone;
  /** What the bars at the next hour on the chart are. */
  readonly legend: string;
}

function between(distribution: Distribution, key: keyof Distribution['intervals'], quote: string): string {
  const { lower, upper } = distribution.intervals[key];
  // Both ends with the decimals of the median, so that they line up and differ where they should.
  const reference = distribution.quantiles.p50;
  return `between ${quotePrice(lower, quote, reference)} and ${quotePrice(upper, quote, reference)}`;
}

function skillWords(summary: Summary): { readonly skill: string; readonly tone: Tone } {
  const { measured } = summary;
  if (measured === null) {
    // Such a version is served as B1 itself (schemas.ts): say so only when the answer says so.
    const what =
      summary.scale === 'b1'
        ? 'it is the standard volatility estimate (EWMA) itself, unchecked'
        : 'no held-out hours were scored';
    return { skill: `Range forecast: not measured for this version; ${what}.`, tone: 'plain' };
  }
  const skill = measured.crps_skill;
  const size = signedPercent(skill).slice(1);
  const score = `(CRPS skill ${signedPercent(skill)} vs EWMA, on ${measured.windows} held-out hours)`;
  if (size === '0.0%') {
    return { skill: `Range forecast: as good as the standard volatility estimate ${score}.`, tone: 'plain' };
  }
  // CRPS rewards a range that is both narrow and right, so "better" and "worse", not "tighter".
  return skill > 0
    ? {
        skill: `Range forecast: ${size} better than the standard volatility estimate ${score}.`,
        tone: 'good',
      }
    : { skill: `Range forecast: ${size} worse than the standard volatility estimate ${score}.`, tone: 'bad' };
}

export function rangeWords(answer: PredictResponse, quote: string): RangeWords {
  const { distribution } = answer;
  const summary = answer.model.distribution;
  const { measured } = summary;
  const held =
    measured === null
      ? '; not measured for this version: how often it holds is unknown.'
      : ` (on the last ${measured.windows} held-out hours it was inside ` +
        `${measured.coverage_pct.i90.toFixed(1)}% of the time).`;
  const median = quotePrice(distribution.quantiles.p50, quote);
  return {
    range: `Next hour\u2019s close: ${between(distribution, 'i90', quote)}, ${HOW_OFTEN.i90}${held}`,
    ...skillWords(summary),
    legend:
      `On the chart at the next hour: the dark bar is ${between(distribution, 'i80', quote)} ` +
      `(${HOW_OFTEN.i80}), the light bar ${between(distribution, 'i95', quote)} (${HOW_OFTEN.i95}), ` +
      `the line across them the median, ${median}.`,
  };
}

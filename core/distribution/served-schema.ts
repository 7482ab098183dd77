import * as z from 'zod';

import { ScaleCalibrationSchema } from './calibration.js';
import { FamilySpecSchema, GAUSSIAN, type FamilySpec } from './family.js';
import { ScaleCorrectionSchema } from './linear-scale.js';
import { ScaleSelectionSchema, SharedNetworkSchema } from './shared-network.js';

function sameFamily(a: FamilySpec, b: FamilySpec): boolean {
  return a.name === b.name && (a.name === 'gaussian' || (b.name === 'student_t' && a.nu === b.nu));
}

const percent = z.number().min(0).max(100);

/**
 * Why a scale kind is refused, when it is `network`: the per-pair scale head on the point forecast's
 * LSTM, which older builds could publish. Undefined for any other value, which keeps zod's message.
 */
function removedScaleKind(kind: unknown): string | undefined {
  return kind === 'network'
    ? "'network', the per-pair network scale head, is no longer served: it was removed (it measured below the linear correction); republish the pair with distribution.scale linear or b1"
    : undefined;
}

/** The kinds of served scale, as metrics.json records them. */
export const ScaleKindSchema = z.enum(['b1', 'linear', 'shared_network'], {
  error: (issue) => removedScaleKind(issue.input),
});

/**
 * How a served model turns a window into the standard deviation of the next log return. Every kind
 * multiplies B1 (the RiskMetrics EWMA sigma of the window), so each one is B1 when it learned nothing:
 *  - `b1`: B1 itself;
 *  - `linear`: B1 x exp(bias + w · inputs), fitted by CRPS on the training windows (linear-scale.ts);
 *  - `shared_network`: B1 x exp(log_scale) of the network trained across pairs (shared-network.ts), whose
 *    graph the version carries as scale.onnx.
 */
export const ServedScaleSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('b1') }),
    z.strictObject({ kind: z.literal('linear'), correction: ScaleCorrectionSchema }),
    z.strictObject({ kind: z.literal('shared_network'), network: SharedNetworkSchema }),
  ],
  {
    error: ({ input }) =>
      removedScaleKind(
        typeof input === 'object' && input !== null && 'kind' in input ? input.kind : undefined,
      ),
  },
);

export type ServedScale = z.infer<typeof ServedScaleSchema>;

const intervalPercents = z.strictObject({ i80: percent, i90: percent, i95: percent });

/**
 * What the served distribution measured on the model's test windows (held out of every fit and of
 * the calibration), so that a client can be told how far to trust it.
 */
export const HeldOutFiguresSchema = z.strictObject({
  windows: z.number().int().positive(),
  first_open_time: z.iso.datetime(),
  last_open_time: z.iso.datetime(),
  /** Mean CRPS of the served (calibrated) distribution and of B1 on the same windows, in bp of price. */
  crps_bp: z.number().nonnegative(),
  b1_crps_bp: z.number().nonnegative(),
  /** 1 - crps_bp / b1_crps_bp: above 0 beats the standard EWMA volatility estimate. */
  crps_skill: z.number(),
  /** Share of next closes that landed inside each served central interval. */
  coverage_pct: intervalPercents,
  /** The same for B1's intervals, for comparison. */
  b1_coverage_pct: intervalPercents,
});

export type HeldOutFigures = z.infer<typeof HeldOutFiguresSchema>;

/**
 * distribution.json, published beside model.onnx: everything serving needs to turn the point forecast
 * and the window into the distribution of the next close, and what it measured on held-out hours.
 */
export const ForecastDistributionSchema = z
  .strictObject({
    schema_version: z.literal(1),
    family: FamilySpecSchema,
    /**
     * The candles every scale reads, ending at the last closed one: B1 is the RiskMetrics EWMA
     * (lambda 0.94) of their closes, and the correction's inputs look no further back. Training
     * reads each window exactly as serving, which has only these candles.
     */
    b1: z.strictObject({ window: z.number().int().min(2) }),
    scale: ServedScaleSchema,
    /** Split-conformal multipliers fitted on the validation windows; null serves the raw scale. */
    calibration: ScaleCalibrationSchema.nullable(),
    /** Null when nothing was measured (a model published before distribution.json existed). */
    held_out: HeldOutFiguresSchema.nullable(),
    /**
     * How the scale was chosen between the shared network and the pair's linear correction, on the pair's
     * validation windows; null where there was no choice (no network that run, or a version from before).
     */
    selection: ScaleSelectionSchema.nullable().default(null),
  })
  .refine(
    (v) =>
      (v.calibration === null || sameFamily(v.calibration.family, v.family)) &&
      (v.scale.kind !== 'linear' || sameFamily(v.scale.correction.family, v.family)) &&
      (v.scale.kind !== 'shared_network' || sameFamily(v.scale.network.pooled_calibration.family, v.family)),
    'the calibration, the linear correction and the network must be fitted for the served family',
  );

export type ForecastDistribution = z.infer<typeof ForecastDistributionSchema>;

/**
 * What a version published without distribution.json is served with: B1's Gaussian, uncalibrated, no
 * held-out figures. That is the baseline every distribution here is measured against, so an old model
 * still answers with a distribution, and says it was not measured.
 */
export function b1Distribution(window: number): ForecastDistribution {
  return {
    schema_version: 1,
    family: GAUSSIAN,
    b1: { window },
    scale: { kind: 'b1' },
    calibration: null,
    held_out: null,
    selection: null,
  };
}

/** Keys of the served quantiles, in QUANTILE_LEVELS order (p05 is the 5% quantile). */
export const SERVED_QUANTILE_KEYS = ['p05', 'p10', 'p25', 'p50', 'p75', 'p90', 'p95'] as const;

const price = z.number().positive();

/** The served quantiles of a next close (SERVED_QUANTILE_KEYS), each a `price`. */
export function servedQuantilesSchema<Price extends z.ZodType<number>>(price: Price) {
  return z.strictObject({
    p05: price,
    p10: price,
    p25: price,
    p50: price,
    p75: price,
    p90: price,
    p95: price,
  });
}
const priceInterval = z.strictObject({ lower: price, upper: price });

/** The distribution of the next close as /predict serves it: prices, not log returns. */
export const NextCloseDistributionSchema = z.strictObject({
  family: FamilySpecSchema,
  /** Standard deviation of the next log return (0.004 is a typical hour's 0.4%), calibrated. */
  scale: z.number().positive(),
  /** The next close's quantiles: it should land below p05 one hour in 20. */
  quantiles: servedQuantilesSchema(price),
  /** Central intervals: the next close should land inside i90 nine hours in ten. */
  intervals: z.strictObject({ i80: priceInterval, i90: priceInterval, i95: priceInterval }),
});

export type NextCloseDistribution = z.infer<typeof NextCloseDistributionSchema>;

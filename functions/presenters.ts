/** The predictor's results as the API's JSON: snake_case like the published artifacts, times in ISO 8601. */
import type * as z from 'zod';
import type { Config } from '../core/config/schema.js';
import { schedulePeriodSeconds } from '../core/config/schedule.js';
import type { Candle } from '../core/market/candle.js';
import type { ModelInfo, Prediction, ReloadResult } from '../serving/predictor.js';
import { describeError } from './error-mapping.js';
import type { ModelEntrySchema, ReloadResponse } from './schemas/models.js';
import type { ResponseCandleSchema, PredictResponse } from './schemas/predict.js';
import type { StatusResponse } from './schemas/ready.js';
import type {
  DistributionSummarySchema,
  MetricsSummarySchema,
  ServedModelSchema,
} from './schemas/served-model.js';

const iso = (ms: number): string => new Date(ms).toISOString();
/** JSON has no Infinity; a skill of -Infinity (a naive MAE of 0) becomes null. */
const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

export function servedModel(model: ModelInfo): z.input<typeof ServedModelSchema> {
  return {
    version: model.version,
    published_at: model.publishedAt,
    trained_at: model.trainedAt,
    sequence_length: model.sequenceLength,
    target_mode: model.targetMode,
    skill: model.metrics === null ? null : finiteOrNull(model.metrics.skill),
    borrowed_from: model.borrowedFrom,
    age_seconds: model.age.ageSeconds,
    stale: model.age.stale,
    stale_after_seconds: model.age.staleAfterSeconds,
    clock_skew: model.age.clockSkew,
    metrics: model.metrics === null ? null : metricsSummary(model.metrics),
    crps_skill: model.distribution.heldOut?.crps_skill ?? null,
    distribution: distributionSummary(model),
  };
}

function metricsSummary(metrics: NonNullable<ModelInfo['metrics']>): z.input<typeof MetricsSummarySchema> {
  return {
    test_mae: metrics.testMae,
    naive_mae: metrics.naiveMae,
    skill: finiteOrNull(metrics.skill),
    direction_accuracy: metrics.directionAccuracy,
    test_windows: metrics.testWindows,
  };
}

function distributionSummary(model: ModelInfo): z.input<typeof DistributionSummarySchema> {
  const { scale, calibrated, family, heldOut, selection, network } = model.distribution;
  return {
    family,
    scale,
    calibrated,
    selection,
    network:
      network === null
        ? null
        : {
            run: network.run,
            trained_on: [...network.trainedOn],
            trained_on_this_pair: network.trainedOnThisPair,
            calibration: network.calibration,
          },
    measured:
      heldOut === null
        ? null
        : {
            windows: heldOut.windows,
            crps_skill: heldOut.crps_skill,
            coverage_pct: heldOut.coverage_pct,
            b1_coverage_pct: heldOut.b1_coverage_pct,
          },
  };
}

export function modelEntry(model: ModelInfo): z.input<typeof ModelEntrySchema> {
  return { pair: model.pair, ...servedModel(model), loaded_at: iso(model.loadedAt) };
}

/** A served model as /readyz lists it: enough to see which one and how old. */
export function readyModel(model: ModelInfo): StatusResponse['models'][number] {
  return {
    pair: model.pair,
    version: model.version,
    trained_at: model.trainedAt,
    age_seconds: model.age.ageSeconds,
    stale: model.age.stale,
    stale_after_seconds: model.age.staleAfterSeconds,
    clock_skew: model.age.clockSkew,
  };
}

/** Why a stale model makes the instance not ready: its age against the limit, and where the limit comes from. */
export function staleReason(model: ModelInfo, config: Pick<Config, 'schedule' | 'serving'>): string {
  const { ageSeconds, staleAfterSeconds } = model.age;
  const hours = (seconds: number): string => `${(seconds / 3_600).toFixed(1)} h`;
  if (model.age.clockSkew) {
    return (
      `${model.pair}: model ${model.version} says it was trained at ${model.trainedAt}, in the future of ` +
      "this server: the training host's clock or this one is wrong, so its age is unknown"
    );
  }
  return (
    `${model.pair}: model ${model.version} is stale: trained ${model.trainedAt}, ${hours(ageSeconds)} ` +
    `(${ageSeconds} s) ago, over the limit of ${hours(staleAfterSeconds)} (${staleAfterSeconds} s: ` +
    `${config.serving.stale_after_periods} schedule periods of ${schedulePeriodSeconds(config.schedule) / 60} min)`
  );
}

function candle(c: Candle): z.input<typeof ResponseCandleSchema> {
  return {
    open_time: iso(c.openTime),
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
  };
}

export function predictResponse(prediction: Prediction): PredictResponse {
  return {
    pair: prediction.pair,
    interval: prediction.interval,
    prediction: {
      open_time: iso(prediction.next.openTime),
      close_time: iso(prediction.next.closeTime),
      close: prediction.next.close,
    },
    last_candle: {
      open_time: iso(prediction.last.openTime),
      close_time: iso(prediction.last.closeTime),
      close: prediction.last.close,
    },
    change: { absolute: prediction.change.absolute, percent: prediction.change.percent },
    distribution: prediction.distribution,
    model: servedModel(prediction.model),
    ...(prediction.candles === undefined ? {} : { candles: prediction.candles.map(candle) }),
  };
}

/** code and message of an error, as a 4xx/5xx body would say them. */
export function publicError(error: unknown): { code: string; message: string } {
  const { code, message } = describeError(error);
  return { code, message };
}

export function reloadResponse(results: readonly ReloadResult[]): ReloadResponse {
  return {
    ok: results.every((r) => r.error === null && r.version !== null),
    pairs: results.map((r) => ({
      pair: r.pair,
      version: r.version,
      previous_version: r.previousVersion,
      changed: r.changed,
      ...(r.error === null ? {} : { error: publicError(r.error) }),
    })),
  };
}

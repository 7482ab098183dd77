import * as z from 'zod';

import {
  DistributionScoresSchema,
  FamilySpecSchema,
  ScaleCalibrationSchema,
  ScaleCorrectionSchema,
  ScaleInputsSpecSchema,
} from '../../../../core/distribution/index.js';

export const SCALE_MODELS = [
  'B0',
  'B1',
  'B1_t',
  'B1_calibrated',
  'B1_t_calibrated',
  'linear',
  'linear_calibrated',
  'linear_t',
  'linear_t_calibrated',
] as const;
export type ScaleModelName = (typeof SCALE_MODELS)[number];

const ModelScoresSchema = z.strictObject({
  scores: DistributionScoresSchema,
  /** 1 - CRPS / CRPS(B1) on the same windows. */
  crps_skill: z.number(),
});

const modelMap = <T extends z.ZodType>(value: T) =>
  z.strictObject(Object.fromEntries(SCALE_MODELS.map((name) => [name, value])) as Record<ScaleModelName, T>);

export const ScaleFoldSchema = z.strictObject({
  fold: z.number().int().nonnegative(),
  test_first: z.iso.datetime(),
  test_last: z.iso.datetime(),
  fit_windows: z.number().int().positive(),
  calibration_windows: z.number().int().positive(),
  models: modelMap(ModelScoresSchema),
  corrections: z.strictObject({ gaussian: ScaleCorrectionSchema, student_t: ScaleCorrectionSchema }),
  calibrations: z.strictObject({
    B1: ScaleCalibrationSchema,
    B1_t: ScaleCalibrationSchema,
    linear: ScaleCalibrationSchema,
    linear_t: ScaleCalibrationSchema,
  }),
});

export const ScaleBacktestReportSchema = z.strictObject({
  source: z.string(),
  candles: z.number().int().positive(),
  first_open: z.iso.datetime(),
  last_open: z.iso.datetime(),
  settings: z.strictObject({
    folds: z.number().int().positive(),
    test_hours: z.number().int().positive(),
    calibration_hours: z.number().int().positive(),
    window_length: z.number().int().positive(),
    lambda: z.number(),
    student_t: FamilySpecSchema,
    inputs: ScaleInputsSpecSchema,
    l2: z.number(),
  }),
  seconds: z.number().nonnegative(),
  pooled: modelMap(
    ModelScoresSchema.extend({
      /** Folds whose CRPS skill against B1 is at least 0. */
      folds_skill_non_negative: z.number().int().nonnegative(),
      /** Lowest and highest coverage of the 90% interval over the folds, in percent. */
      coverage_90_min: z.number(),
      coverage_90_max: z.number(),
    }),
  ),
  folds: z.array(ScaleFoldSchema),
});

export type ScaleFold = z.infer<typeof ScaleFoldSchema>;
export type ScaleBacktestReport = z.infer<typeof ScaleBacktestReportSchema>;

import * as z from 'zod';
import { ScaleCalibrationSchema } from '../distribution/calibration.js';
import { FamilySpecSchema } from '../distribution/family.js';
import { servedQuantilesSchema } from '../distribution/served-schema.js';
import { RunIdSchema, RunSubjectSchema } from './run-record.js';

/**
 * The most held-out hours one run keeps: a year of hourly candles holds 876 test hours at the base
 * configuration's 10%; this leaves room for ten years and bounds what a reader takes into memory.
 */
export const MAX_HELD_OUT_HOURS = 20_000;

const price = z.number().positive().refine(Number.isFinite, 'must be a finite price');

/**
 * One held-out hour as it would have been served: the quantiles of its close (from the window ending at
 * the hour before it) and the 95% interval, beside the close that followed.
 */
export const HeldOutHourSchema = z.strictObject({
  /** Open time of the hour forecast (its close is `close`). */
  open_time: z.iso.datetime(),
  /** The close the forecast was made from: the window's last. */
  last_close: price,
  quantiles: servedQuantilesSchema(price),
  /** The served 95% central interval: what a close outside of is marked for. */
  i95: z.strictObject({ lower: price, upper: price }),
  /** The close that followed. */
  close: price,
});
export type HeldOutHour = z.infer<typeof HeldOutHourSchema>;

/**
 * heldout.json, beside a run's record (`{prefix}runs/{subject}/{run_id}/heldout.json`): every test hour
 * of the run as the served distribution forecast it, and what happened. These hours touched no fit, no
 * calibration and no choice, so how often the closes fell inside the bands is what a client may expect.
 */
export const HeldOutForecastsSchema = z.strictObject({
  schema_version: z.literal(1),
  subject: RunSubjectSchema,
  run_id: RunIdSchema,
  family: FamilySpecSchema,
  calibration: ScaleCalibrationSchema.nullable(),
  hours: z.array(HeldOutHourSchema).min(1).max(MAX_HELD_OUT_HOURS),
});
export type HeldOutForecasts = z.infer<typeof HeldOutForecastsSchema>;

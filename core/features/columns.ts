/**
 * The feature columns, in the order trained models expect them: changing the order or the
 * names breaks every published model, so a scaler JSON that disagrees is rejected.
 */
export const FEATURE_NAMES = [
  'day_of_week',
  'day_of_month',
  'week_of_year',
  'month_of_year',
  'open',
  'high',
  'low',
  'close',
  'close_change',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

export const FEATURE_COUNT = FEATURE_NAMES.length;

/** Column of the target: the model predicts the scaled close of the candle after its window. */
export const CLOSE_INDEX: number = FEATURE_NAMES.indexOf('close');

export function featureIndex(name: FeatureName): number {
  return FEATURE_NAMES.indexOf(name);
}

export function hasFeatureColumns(columns: readonly string[]): boolean {
  return columns.length === FEATURE_COUNT && columns.every((name, i) => name === FEATURE_NAMES[i]);
}

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

/** Columns of the seed set: the original 9. */
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** Column of the target: the model predicts the scaled close of the candle after its window. */
export const CLOSE_INDEX: number = FEATURE_NAMES.indexOf('close');

export function featureIndex(name: FeatureName): number {
  return FEATURE_NAMES.indexOf(name);
}

/**
 * Feature sets a model can be trained on. `seed`: the original 9 columns (FEATURE_NAMES).
 * `extended`: the same 9, then the columns that carry the size of the next move: the hour of day
 * (volatility follows it) and scale-free forms of the candle's volume, range and return, which mean
 * the same thing in any year and at any price.
 */
export const FEATURE_SETS = ['seed', 'extended'] as const;
export type FeatureSet = (typeof FEATURE_SETS)[number];

/** What the extended set adds after the 9 seed columns, in order (computed in extended.ts). */
export const EXTENDED_COLUMNS = [
  /** sin and cos of 2π · (UTC hour of the candle's open) / 24: hour 23 sits next to hour 0. */
  'hour_sin',
  'hour_cos',
  /** ln(volume / mean volume of the last VOLUME_LOOKBACK candles, this one included). */
  'rel_log_volume',
  /** ln(high / low): the candle's range as a log return. */
  'log_range',
  /** ln(close / open): the candle's own log return. */
  'log_return',
] as const;

// Appended, never interleaved: the seed columns keep their indices (close stays at CLOSE_INDEX) in
// every set, so the residual target and inverseColumn('close') read the same column whatever the set.
export const EXTENDED_FEATURE_NAMES = [...FEATURE_NAMES, ...EXTENDED_COLUMNS] as const;
export type ExtendedFeatureName = (typeof EXTENDED_FEATURE_NAMES)[number];

/** Any column of any set. */
export type FeatureColumn = ExtendedFeatureName;

const SET_COLUMNS: Readonly<Record<FeatureSet, readonly FeatureColumn[]>> = {
  seed: FEATURE_NAMES,
  extended: EXTENDED_FEATURE_NAMES,
};

/** The columns of a feature set, in model input order. */
export function featureNames(set: FeatureSet): readonly FeatureColumn[] {
  return SET_COLUMNS[set];
}

/** The set whose columns are exactly `columns` (names and order), or undefined when none is. */
export function featureSetOf(columns: readonly string[]): FeatureSet | undefined {
  return FEATURE_SETS.find((set) => {
    const names = SET_COLUMNS[set];
    return columns.length === names.length && columns.every((name, i) => name === names[i]);
  });
}

/** True when `columns` are the seed set's 9, in order. */
export function hasFeatureColumns(columns: readonly string[]): boolean {
  return featureSetOf(columns) === 'seed';
}

/** `[a, b, ...]` of each set, for error messages that say what would have been accepted. */
export function describeFeatureSets(): string {
  return FEATURE_SETS.map((set) => `${set} [${SET_COLUMNS[set].join(', ')}]`).join(' or ');
}

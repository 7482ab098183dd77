import * as z from 'zod';

import { FEATURE_SETS, describeFeatureSets, featureNames, featureSetOf } from './columns.js';
import type { FeatureColumn, FeatureSet } from './columns.js';
import { NotEnoughDataError, ScalerError } from './errors.js';
import { assertFeatureMatrix } from './matrix.js';
import type { FeatureMatrix, FeatureRange } from './types.js';
import { issueLines } from '../validation/index.js';

export const DEFAULT_FEATURE_RANGE: FeatureRange = Object.freeze([-1, 1] as const);

// scikit-learn treats a column whose range is below 10 machine epsilons as constant (_handle_zeros_in_scale).
const CONSTANT_RANGE = 10 * Number.EPSILON;

interface ScalerProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface MinMaxScalerParams {
  /** The columns fitted on, in order: exactly one feature set's. */
  readonly features: readonly string[];
  /** The set those columns belong to; inferred from them when absent, and must agree when given. */
  readonly featureSet?: FeatureSet;
  readonly featureRange: readonly number[];
  readonly dataMin: ArrayLike<number>;
  readonly dataMax: ArrayLike<number>;
}

// One list of rules for the constructor and the JSON schema, so a scaler built in code and one read
// from S3 are held to the same standard.
function scalerProblems(params: MinMaxScalerParams): ScalerProblem[] {
  const problems: ScalerProblem[] = [];
  const { features, featureRange, dataMin, dataMax } = params;
  // With a set named (scaler.json always has one, `seed` when the field is absent), its columns are
  // what is expected; without one (a scaler fitted in code), the columns must be some set's.
  const inferred = featureSetOf(features);
  const set = params.featureSet ?? inferred;
  if (set === undefined) {
    problems.push({
      path: ['features'],
      message: `expected the columns of a feature set, in order: ${describeFeatureSets()}; got [${features.join(', ')}]`,
    });
  } else if (inferred !== set) {
    problems.push({
      path: ['features'],
      message: `expected [${featureNames(set).join(', ')}] in this order (feature set ${set}), got [${features.join(', ')}]`,
    });
  }
  const width = set === undefined ? features.length : featureNames(set).length;
  const [low, high] = featureRange;
  if (featureRange.length !== 2 || low === undefined || high === undefined) {
    problems.push({
      path: ['feature_range'],
      message: `expected [low, high], got ${featureRange.length} values`,
    });
  } else if (!Number.isFinite(low) || !Number.isFinite(high) || low >= high) {
    problems.push({ path: ['feature_range'], message: `expected finite low < high, got [${low}, ${high}]` });
  }
  for (const [key, values] of [
    ['data_min', dataMin],
    ['data_max', dataMax],
  ] as const) {
    if (values.length !== width) {
      problems.push({
        path: [key],
        message: `expected ${width} values, one per feature, got ${values.length}`,
      });
    }
    for (let i = 0; i < values.length; i += 1) {
      if (!Number.isFinite(values[i])) {
        problems.push({ path: [key, i], message: `expected a finite number, got ${values[i]}` });
      }
    }
  }
  const shared = Math.min(dataMin.length, dataMax.length);
  for (let i = 0; i < shared; i += 1) {
    const min = dataMin[i];
    const max = dataMax[i];
    if (min !== undefined && max !== undefined && min > max) {
      problems.push({
        path: ['data_min', i],
        message: `data_min ${min} is above data_max ${max} for ${features[i] ?? `column ${i}`}`,
      });
    }
  }
  return problems;
}

function describe(problem: ScalerProblem): string {
  return problem.path.length === 0 ? problem.message : `${problem.path.join('.')}: ${problem.message}`;
}

/**
 * Min-max scaling of the feature columns with scikit-learn's MinMaxScaler arithmetic: `scale =
 * (high - low) / (max - min)` (a constant column uses range 1, so it never divides by zero),
 * `offset = low - min * scale`, `scaled = x * scale + offset`, `x = (scaled - offset) / scale`.
 * Computed in float64; only transform's output is float32.
 */
export class MinMaxScaler {
  /** The feature set fitted on: serving builds these columns for the model, whatever its own config says. */
  public readonly featureSet: FeatureSet;
  public readonly features: readonly FeatureColumn[];
  public readonly featureRange: FeatureRange;
  public readonly dataMin: readonly number[];
  public readonly dataMax: readonly number[];
  private readonly scale: Float64Array;
  private readonly offset: Float64Array;

  /** Throws a ScalerError listing every problem when the parameters cannot make a scaler. */
  public constructor(params: MinMaxScalerParams) {
    const problems = scalerProblems(params);
    if (problems.length > 0) {
      throw new ScalerError('Invalid scaler parameters', problems.map(describe));
    }
    const [low, high] = params.featureRange as FeatureRange;
    // scalerProblems found a set, or it threw above.
    this.featureSet = featureSetOf(params.features) as FeatureSet;
    this.features = featureNames(this.featureSet);
    this.featureRange = Object.freeze([low, high] as const);
    this.dataMin = Object.freeze(Array.from(params.dataMin));
    this.dataMax = Object.freeze(Array.from(params.dataMax));
    const width = this.features.length;
    this.scale = new Float64Array(width);
    this.offset = new Float64Array(width);
    for (let c = 0; c < width; c += 1) {
      const min = this.dataMin[c]!;
      const range = this.dataMax[c]! - min;
      const scale = (high - low) / (range < CONSTANT_RANGE ? 1 : range);
      this.scale[c] = scale;
      this.offset[c] = low - min * scale;
    }
  }

  /** Column `name`'s index in this scaler's (and its model's) input; throws for a column not in its set. */
  public columnIndex(name: FeatureColumn): number {
    const c = this.features.indexOf(name);
    if (c < 0) {
      throw new ScalerError(`Column ${String(name)} is not in feature set ${this.featureSet}`);
    }
    return c;
  }

  /**
   * Scales every row into `out` (a new Float32Array when not given; its length must be rows x the
   * set's width). The matrix must hold this scaler's feature set: scaling seed rows with an extended
   * scaler, or the reverse, would feed a model columns it never saw.
   */
  public transform(matrix: FeatureMatrix, out?: Float32Array): Float32Array {
    assertFeatureMatrix(matrix);
    if (featureSetOf(matrix.columns) !== this.featureSet) {
      throw new ScalerError(
        `The scaler was fitted on feature set ${this.featureSet}, the rows have [${matrix.columns.join(', ')}]`,
      );
    }
    const width = this.features.length;
    const size = matrix.rows * width;
    const target = out ?? new Float32Array(size);
    if (target.length !== size) {
      throw new ScalerError(
        `Output buffer holds ${target.length} values, expected ${matrix.rows} rows x ${width}`,
      );
    }
    const { data } = matrix;
    for (let row = 0; row < matrix.rows; row += 1) {
      const base = row * width;
      for (let c = 0; c < width; c += 1) {
        target[base + c] = data[base + c]! * this.scale[c]! + this.offset[c]!;
      }
    }
    return target;
  }

  /**
   * A scaled value of one column back to raw units, read as a change from an anchor whose raw value is
   * known (the window's last close and its scaled input): min-max scaling is affine, so this is
   * inverseColumn without the float32 rounding of the anchor. A forecast of "no change" (a residual
   * model shrunk to the naive forecast) comes back as the last close exactly, not a few thousandths off.
   */
  public inverseFromAnchor(
    scaled: number,
    anchor: { readonly scaled: number; readonly raw: number },
    column: FeatureColumn = 'close',
  ): number {
    return anchor.raw + (scaled - anchor.scaled) / this.scale[this.columnIndex(column)]!;
  }

  /** Maps scaled values of one column (the close, by default: what the model predicts) back to raw units. */
  public inverseColumn(value: number, column?: FeatureColumn): number;
  public inverseColumn(values: ArrayLike<number>, column?: FeatureColumn): Float64Array;
  public inverseColumn(
    input: number | ArrayLike<number>,
    column: FeatureColumn = 'close',
  ): number | Float64Array {
    const c = this.columnIndex(column);
    const scale = this.scale[c]!;
    const offset = this.offset[c]!;
    if (typeof input === 'number') {
      return (input - offset) / scale;
    }
    const result = new Float64Array(input.length);
    for (let i = 0; i < input.length; i += 1) {
      result[i] = (input[i]! - offset) / scale;
    }
    return result;
  }
}

/** Fits the scaler on the given rows only (pass the training rows, never the test rows). */
export function fitMinMaxScaler(
  matrix: FeatureMatrix,
  range: FeatureRange = DEFAULT_FEATURE_RANGE,
): MinMaxScaler {
  assertFeatureMatrix(matrix);
  if (matrix.rows === 0) {
    throw new NotEnoughDataError({ what: 'rows to fit the scaler', needed: 1, given: 0 });
  }
  const width = matrix.columns.length;
  const dataMin = new Float64Array(width).fill(Infinity);
  const dataMax = new Float64Array(width).fill(-Infinity);
  const { data } = matrix;
  for (let row = 0; row < matrix.rows; row += 1) {
    const base = row * width;
    for (let c = 0; c < width; c += 1) {
      const value = data[base + c]!;
      if (!Number.isFinite(value)) {
        throw new ScalerError(`Cannot fit on ${value} in row ${row}, column ${matrix.columns[c]}`);
      }
      if (value < dataMin[c]!) dataMin[c] = value;
      if (value > dataMax[c]!) dataMax[c] = value;
    }
  }
  return new MinMaxScaler({ features: matrix.columns, featureRange: range, dataMin, dataMax });
}

/**
 * The scaler's file format (scaler.json beside model.onnx), in scikit-learn's attribute names, and
 * `feature_set`: the set the columns are, which serving builds for the model. Absent means `seed`:
 * every scaler.json published before the field existed is a seed one, and scalerToJson leaves it out
 * of seed scalers so that their files stay byte for byte what they were, readable by servers that
 * predate the field (this schema is strict and would refuse an unknown key).
 */
export const ScalerJsonSchema = z
  .strictObject({
    feature_set: z.enum(FEATURE_SETS).optional(),
    features: z.array(z.string()),
    feature_range: z.tuple([z.number(), z.number()]),
    data_min: z.array(z.number()),
    data_max: z.array(z.number()),
  })
  .superRefine((value, ctx) => {
    const problems = scalerProblems({
      features: value.features,
      featureSet: value.feature_set ?? 'seed',
      featureRange: value.feature_range,
      dataMin: value.data_min,
      dataMax: value.data_max,
    });
    for (const problem of problems) {
      ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
    }
  });

export type ScalerJson = z.infer<typeof ScalerJsonSchema>;

export function scalerToJson(scaler: MinMaxScaler): ScalerJson {
  return {
    ...(scaler.featureSet === 'seed' ? {} : { feature_set: scaler.featureSet }),
    features: [...scaler.features],
    feature_range: [scaler.featureRange[0], scaler.featureRange[1]],
    data_min: [...scaler.dataMin],
    data_max: [...scaler.dataMax],
  };
}

/** Builds a scaler from a parsed scaler.json value; throws a ScalerError naming every bad field. */
export function scalerFromJson(value: unknown): MinMaxScaler {
  const parsed = ScalerJsonSchema.safeParse(value);
  if (!parsed.success) {
    const problems = issueLines(parsed.error, { root: null });
    throw new ScalerError('Invalid scaler JSON', problems, { cause: parsed.error });
  }
  return new MinMaxScaler({
    features: parsed.data.features,
    featureSet: parsed.data.feature_set ?? 'seed',
    featureRange: parsed.data.feature_range,
    dataMin: parsed.data.data_min,
    dataMax: parsed.data.data_max,
  });
}

/** Like scalerFromJson, from the file's text; malformed JSON is a ScalerError too. */
export function scalerFromJsonText(text: string): MinMaxScaler {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScalerError('Scaler JSON is not valid JSON', [String(error)], { cause: error });
  }
  return scalerFromJson(value);
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CLOSE_INDEX,
  EXTENDED_FEATURE_NAMES,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FeatureError,
  MinMaxScaler,
  NotEnoughDataError,
  ScalerError,
  ScalerJsonSchema,
  extractFeatureSet,
  extractFeatures,
  fitMinMaxScaler,
  featureIndex,
  scalerFromJson,
  scalerFromJsonText,
  scalerToJson,
} from '../../../core/features/index.js';
import type { FeatureMatrix, FeatureName, ScalerJson } from '../../../core/features/index.js';
import { column, matrixFromRows, walkCandles } from './fixtures.js';

/** `count` rows where the named columns take the given values and every other column is 7. */
function matrixWith(count: number, columns: Partial<Record<FeatureName, readonly number[]>>): FeatureMatrix {
  return matrixFromRows(
    Array.from({ length: count }, (_, r) => FEATURE_NAMES.map((name) => columns[name]?.[r] ?? 7)),
  );
}

const OPEN = featureIndex('open');

function validJson(): ScalerJson {
  return {
    features: [...FEATURE_NAMES],
    feature_range: [-1, 1],
    data_min: [0, 1, 1, 1, 90, 95, 85, 100, -5],
    data_max: [6, 31, 53, 12, 190, 195, 185, 200, 5],
  };
}

function throwsScalerError(act: () => unknown, pattern: RegExp): void {
  assert.throws(act, (error: unknown) => {
    assert.ok(error instanceof ScalerError, `expected a ScalerError, got ${String(error)}`);
    assert.ok(error instanceof FeatureError);
    assert.equal(error.name, 'ScalerError');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('fitMinMaxScaler and transform', () => {
  it('maps a column [1, 3, 5] to [-1, 0, 1]', () => {
    // Prepare
    const matrix = matrixWith(3, { open: [1, 3, 5] });

    // Act
    const scaled = fitMinMaxScaler(matrix).transform(matrix);

    // Assess
    assert.ok(scaled instanceof Float32Array);
    assert.equal(scaled.length, 3 * FEATURE_COUNT);
    assert.deepEqual(column(scaled, OPEN), [-1, 0, 1]);
  });

  it('maps a constant column to -1 everywhere, without NaN (range taken as 1, as scikit-learn does)', () => {
    const matrix = matrixWith(3, { open: [1, 3, 5] }); // every other column is the constant 7
    const scaled = fitMinMaxScaler(matrix).transform(matrix);
    assert.deepEqual(column(scaled, CLOSE_INDEX), [-1, -1, -1]);
    assert.ok(scaled.every((value) => Number.isFinite(value)));
  });

  it('treats a range below 10 machine epsilons as constant, as scikit-learn does', () => {
    // Without the rule 1e-300 would scale to +1; with it, (1e-300 - 0) * 2 - 1 = -1.
    const matrix = matrixWith(2, { open: [0, 1e-300] });
    assert.deepEqual(column(fitMinMaxScaler(matrix).transform(matrix), OPEN), [-1, -1]);
  });

  it('uses another feature range when asked: [2, 4, 10] in [0, 1] is [0, 0.25, 1]', () => {
    const matrix = matrixWith(3, { open: [2, 4, 10] });
    const scaled = fitMinMaxScaler(matrix, [0, 1]).transform(matrix);
    assert.deepEqual(column(scaled, OPEN), [0, 0.25, 1]);
  });

  it('records each column minimum and maximum of the fitted rows', () => {
    const scaler = fitMinMaxScaler(matrixWith(3, { open: [5, -2, 3], close: [10, 30, 20] }));
    assert.equal(scaler.dataMin[OPEN], -2);
    assert.equal(scaler.dataMax[OPEN], 5);
    assert.equal(scaler.dataMin[CLOSE_INDEX], 10);
    assert.equal(scaler.dataMax[CLOSE_INDEX], 30);
    assert.deepEqual(scaler.featureRange, [-1, 1]);
    assert.deepEqual(scaler.features, FEATURE_NAMES);
  });

  it('scales rows outside the fitted range beyond [-1, 1] (fit on training rows only)', () => {
    // Prepare: fitted on closes 100..200; unseen closes 300 and 50
    const scaler = fitMinMaxScaler(matrixWith(2, { close: [100, 200] }));
    const unseen = matrixWith(2, { close: [300, 50] });

    // Act
    const scaled = scaler.transform(unseen);

    // Assess: (300 - 100) / 100 * 2 - 1 = 3; (50 - 100) / 100 * 2 - 1 = -2
    assert.deepEqual(column(scaled, CLOSE_INDEX), [3, -2]);
  });

  it('writes into a given buffer and returns it', () => {
    const matrix = matrixWith(3, { open: [1, 3, 5] });
    const scaler = fitMinMaxScaler(matrix);
    const out = new Float32Array(3 * FEATURE_COUNT);
    assert.equal(scaler.transform(matrix, out), out);
    assert.deepEqual(column(out, OPEN), [-1, 0, 1]);
  });

  it('rejects an output buffer of the wrong size', () => {
    const matrix = matrixWith(3, { open: [1, 3, 5] });
    throwsScalerError(() => fitMinMaxScaler(matrix).transform(matrix, new Float32Array(5)), /Output buffer/);
  });

  it('needs at least one row to fit', () => {
    assert.throws(
      () => fitMinMaxScaler(matrixFromRows([])),
      (error: unknown) => error instanceof NotEnoughDataError && error.needed === 1 && error.given === 0,
    );
  });

  it('refuses to fit on a value that is not finite', () => {
    throwsScalerError(() => fitMinMaxScaler(matrixWith(2, { high: [1, Number.NaN] })), /high/);
  });

  it('refuses a feature range whose low is not below its high', () => {
    throwsScalerError(() => fitMinMaxScaler(matrixWith(2, { open: [1, 2] }), [1, -1]), /feature_range/);
  });
});

describe('inverseFromAnchor', () => {
  // A BTC-like close column: float32 cannot hold the scaled last close exactly.
  const scaler = fitMinMaxScaler(matrixWith(2, { close: [28_734.17, 69_000.01] }));
  const raw = 41_923.37;
  // The default feature range is [-1, 1]: what transform() writes for this close, in float32.
  const anchor = { scaled: Math.fround(-1 + (2 * (raw - 28_734.17)) / (69_000.01 - 28_734.17)), raw };

  it('gives back the anchor exactly for "no change", where inverseColumn is off by the float32 rounding', () => {
    assert.equal(scaler.inverseFromAnchor(anchor.scaled, anchor), raw);
    assert.notEqual(scaler.inverseColumn(anchor.scaled), raw);
  });

  it('equals inverseColumn for any other value, up to that rounding', () => {
    for (const scaled of [-1, -0.25, 0.3, 1, 1.7]) {
      const fromAnchor = scaler.inverseFromAnchor(scaled, anchor);
      assert.ok(Math.abs(fromAnchor - scaler.inverseColumn(scaled)) < 0.01, `${scaled}: ${fromAnchor}`);
    }
  });
});

describe('inverseColumn', () => {
  const scaler = fitMinMaxScaler(matrixWith(2, { close: [100, 200], open: [0, 10] }));

  it('maps scaled closes back to prices by default', () => {
    assert.equal(scaler.inverseColumn(-1), 100);
    assert.equal(scaler.inverseColumn(0), 150);
    assert.equal(scaler.inverseColumn(1), 200);
    assert.equal(scaler.inverseColumn(3), 300); // beyond the fitted range: 100 + (3 + 1) / 2 x 100
  });

  it('maps an array of values to a Float64Array', () => {
    const prices = scaler.inverseColumn(Float32Array.of(-1, 0.5, 1));
    assert.ok(prices instanceof Float64Array);
    assert.deepEqual([...prices], [100, 175, 200]);
  });

  it('uses the named column', () => {
    assert.equal(scaler.inverseColumn(0, 'open'), 5);
  });

  it('gives back a constant column from -1', () => {
    assert.equal(scaler.inverseColumn(-1, 'high'), 7);
  });

  it('round-trips transform then inverse within float32 precision', () => {
    // Prepare
    const closes = [100, 123.45, 187.5, 200, 250.25];
    const matrix = matrixWith(5, { close: closes });

    // Act
    const back = scaler.inverseColumn(column(scaler.transform(matrix), CLOSE_INDEX));

    // Assess: float32 keeps ~7 significant digits of the scaled value
    for (const [i, close] of closes.entries()) {
      assert.ok(Math.abs((back[i] ?? Number.NaN) - close) < 1e-4, `${back[i]} vs ${close}`);
    }
  });
});

describe('scaler JSON', () => {
  it('has the documented shape', () => {
    const scaler = fitMinMaxScaler(matrixWith(2, { open: [1, 3], close: [100, 200] }));
    const json = scalerToJson(scaler);
    assert.deepEqual(Object.keys(json).sort(), ['data_max', 'data_min', 'feature_range', 'features']);
    assert.deepEqual(json.features, FEATURE_NAMES);
    assert.deepEqual(json.feature_range, [-1, 1]);
    assert.deepEqual(json.data_min, [7, 7, 7, 7, 1, 7, 7, 100, 7]);
    assert.deepEqual(json.data_max, [7, 7, 7, 7, 3, 7, 7, 200, 7]);
    assert.equal(ScalerJsonSchema.safeParse(json).success, true);
  });

  it('round-trips through JSON text to a scaler that scales bit for bit the same', () => {
    // Prepare: prices that float32 cannot hold exactly
    const matrix = matrixWith(3, {
      open: [47755.08, 48250.7, 46001.99],
      close: [48250.69, 48473.3, 45999.01],
    });
    const scaler = fitMinMaxScaler(matrix);

    // Act
    const text = JSON.stringify(scalerToJson(scaler));
    const restored = scalerFromJsonText(text);

    // Assess
    assert.deepEqual(scalerToJson(restored), scalerToJson(scaler));
    assert.deepEqual([...restored.transform(matrix)], [...scaler.transform(matrix)]);
    assert.equal(restored.inverseColumn(0.123), scaler.inverseColumn(0.123));
  });

  it('reads a valid parsed value', () => {
    const scaler = scalerFromJson(validJson());
    assert.equal(scaler.inverseColumn(0), 150);
  });

  it('rejects features in another order, saying which order is expected', () => {
    const json = validJson();
    json.features = [...FEATURE_NAMES].reverse();
    throwsScalerError(
      () => scalerFromJson(json),
      /features: expected \[day_of_week, day_of_month.*in this order/,
    );
  });

  it('rejects a missing or unknown feature', () => {
    const json = validJson();
    json.features = [...FEATURE_NAMES.slice(0, 8), 'volume'];
    throwsScalerError(() => scalerFromJson(json), /features/);
  });

  it('rejects lists of different lengths', () => {
    const json = validJson();
    json.data_min = json.data_min.slice(0, 8);
    throwsScalerError(() => scalerFromJson(json), /data_min: expected 9 values/);
  });

  it('rejects a minimum above its maximum', () => {
    const json = validJson();
    json.data_min[CLOSE_INDEX] = 300;
    throwsScalerError(
      () => scalerFromJson(json),
      /data_min\.7: data_min 300 is above data_max 200 for close/,
    );
  });

  it('rejects numbers that are not finite', () => {
    const json = validJson();
    json.data_max[0] = Number.POSITIVE_INFINITY;
    throwsScalerError(() => scalerFromJson(json), /data_max\.0/);
    const nan = validJson();
    nan.data_min[0] = Number.NaN;
    throwsScalerError(() => scalerFromJson(nan), /data_min\.0/);
  });

  it('rejects values of the wrong type', () => {
    throwsScalerError(
      () => scalerFromJson({ ...validJson(), data_min: ['0', 1, 1, 1, 90, 95, 85, 100, -5] }),
      /data_min\.0/,
    );
    throwsScalerError(() => scalerFromJson(null), /Invalid scaler JSON/);
    throwsScalerError(() => scalerFromJson([]), /Invalid scaler JSON/);
  });

  it('rejects a missing or unknown key', () => {
    const { data_max: _dropped, ...missing } = validJson();
    throwsScalerError(() => scalerFromJson(missing), /data_max/);
    throwsScalerError(() => scalerFromJson({ ...validJson(), scale: [1] }), /scale/);
  });

  it('rejects a feature range that is not [low, high] with low below high', () => {
    throwsScalerError(() => scalerFromJson({ ...validJson(), feature_range: [1, 1] }), /feature_range/);
    throwsScalerError(() => scalerFromJson({ ...validJson(), feature_range: [-1, 0, 1] }), /feature_range/);
  });

  it('lists every problem at once', () => {
    const json = validJson();
    json.features = ['close'];
    json.data_min[0] = 100;
    assert.throws(
      () => scalerFromJson(json),
      (error: unknown) => error instanceof ScalerError && error.problems.length === 2,
    );
  });

  it('rejects text that is not JSON', () => {
    throwsScalerError(() => scalerFromJsonText('{"features": ['), /not valid JSON/);
  });

  it('holds a scaler built in code to the same rules', () => {
    throwsScalerError(
      () => new MinMaxScaler({ features: FEATURE_NAMES, featureRange: [-1, 1], dataMin: [0], dataMax: [1] }),
      /data_min: expected 9 values/,
    );
  });
});

describe('scaler feature sets', () => {
  const series = walkCandles(60);
  const extended = fitMinMaxScaler(extractFeatureSet(series, 'extended'));

  it('records the extended set in scaler.json and reads it back', () => {
    // Act
    const json = scalerToJson(extended);
    const restored = scalerFromJsonText(JSON.stringify(json));

    // Assess
    assert.equal(json.feature_set, 'extended');
    assert.deepEqual(json.features, EXTENDED_FEATURE_NAMES);
    assert.equal(json.data_min.length, 14);
    assert.equal(restored.featureSet, 'extended');
    const rows = extractFeatureSet(series, 'extended');
    assert.deepEqual(restored.transform(rows), extended.transform(rows));
    assert.equal(restored.columnIndex('close'), CLOSE_INDEX);
  });

  it('reads a scaler.json without feature_set as seed, as every file published before the field', () => {
    const restored = scalerFromJson(validJson());
    assert.equal(restored.featureSet, 'seed');
    assert.equal(scalerToJson(restored).feature_set, undefined);
  });

  it('rejects a feature_set that disagrees with the columns', () => {
    throwsScalerError(
      () => scalerFromJson({ ...validJson(), feature_set: 'extended' }),
      /features: expected \[day_of_week.*log_return\] in this order \(feature set extended\)/,
    );
    const json = scalerToJson(extended);
    delete json.feature_set;
    throwsScalerError(() => scalerFromJson(json), /\(feature set seed\)/);
    throwsScalerError(() => scalerFromJson({ ...json, feature_set: 'all' }), /feature_set/);
  });

  it('refuses to scale the rows of another feature set', () => {
    throwsScalerError(
      () => extended.transform(extractFeatureSet(series, 'seed')),
      /fitted on feature set extended, the rows have \[day_of_week/,
    );
    const seed = fitMinMaxScaler(extractFeatures(series));
    throwsScalerError(() => seed.inverseColumn(1, 'log_range'), /log_range is not in feature set seed/);
  });
});

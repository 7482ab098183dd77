import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_SCALE_INPUTS,
  b1Distribution,
  scaleInputNames,
  type ForecastDistribution,
  type ScaleCorrection,
} from '../../core/distribution/index.js';
import { ModelLoadError } from '../../serving/index.js';
import { loadDistribution } from '../../serving/distribution-file.js';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const names = scaleInputNames(DEFAULT_SCALE_INPUTS);
const correction: ScaleCorrection = {
  family: { name: 'gaussian' },
  inputs: DEFAULT_SCALE_INPUTS,
  names,
  mean: names.map(() => 0),
  sd: names.map(() => 1),
  weights: names.map(() => 0.01),
  bias: -0.02,
};
const linear: ForecastDistribution = { ...b1Distribution(12), scale: { kind: 'linear', correction } };

describe('loadDistribution', () => {
  it('serves B1, uncalibrated and unmeasured, for a version without distribution.json', () => {
    const { served, summary } = loadDistribution('BTC/USDT', 'v', null, 12);
    assert.deepEqual(served.spec, b1Distribution(12));
    assert.deepEqual(summary, {
      scale: 'b1',
      calibrated: false,
      family: { name: 'gaussian' },
      heldOut: null,
      selection: null,
      network: null,
    });
  });

  it('compiles a valid file', () => {
    const { served, summary } = loadDistribution('BTC/USDT', 'v', encode(linear), 12);
    assert.equal(served.spec.scale.kind, 'linear');
    assert.equal(summary.scale, 'linear');
  });

  it('refuses a file that is not JSON, does not match the schema, or does not fit the model', () => {
    const refused = (bytes: Uint8Array, pattern: RegExp) =>
      assert.throws(
        () => loadDistribution('BTC/USDT', 'v', bytes, 12),
        (error: unknown) =>
          error instanceof ModelLoadError &&
          error.file === 'distribution.json' &&
          pattern.test(error.message),
      );
    refused(new TextEncoder().encode('{'), /not UTF-8 JSON/);
    refused(encode({ ...linear, family: { name: 'cauchy' } }), /family/);
    refused(encode({ ...linear, b1: { window: 13 } }), /B1 reads 13 closes, the model's window has 12/);
    const shuffled = { kind: 'linear', correction: { ...correction, names: [...names].reverse() } };
    refused(encode({ ...linear, scale: shuffled }), /inputs are \[/);
  });

  it('refuses the network scale head an older build published, naming the file and why', () => {
    const network = { kind: 'network', output: 'log_scale', shrink: 0.4 };
    assert.throws(
      () => loadDistribution('BTC/USDT', 'v', encode({ ...linear, scale: network }), 12),
      (error: unknown) =>
        error instanceof ModelLoadError &&
        error.file === 'distribution.json' &&
        /^Cannot load distribution.json of BTC\/USDT version v: scale.kind: 'network', the per-pair network scale head, is no longer served: it was removed \(it measured below the linear correction\); republish the pair/.test(
          error.message,
        ),
    );
  });
});

import {
  ForecastDistributionSchema,
  b1Distribution,
  type ForecastDistribution,
  type HeldOutFigures,
} from '../core/distribution/served-schema.js';
import { scaleInputNames } from '../core/distribution/scale-inputs.js';
import { serveDistribution, type ServedDistribution } from '../core/distribution/next-close.js';
import type { ScaleCorrection } from '../core/distribution/linear-scale.js';
import type { ScaleSelection } from '../core/distribution/shared-network.js';
import { ModelLoadError } from './errors.js';

export const DISTRIBUTION_FILE = 'distribution.json';

/** What a client is told about the distribution served beside a model's point forecast. */
export interface DistributionSummary {
  /** 'b1' for a version published without distribution.json: B1's Gaussian, uncalibrated, unmeasured. */
  readonly scale: ServedDistribution['spec']['scale']['kind'];
  readonly calibrated: boolean;
  readonly family: ServedDistribution['spec']['family'];
  /** What it measured on the model's held-out test hours; null when nothing was measured. */
  readonly heldOut: HeldOutFigures | null;
  /** How the scale was chosen on validation; null when there was no choice. */
  readonly selection: ScaleSelection | null;
  /** The shared network serving it; null for the other scales. */
  readonly network: {
    readonly run: string;
    readonly trainedOn: readonly string[];
    readonly trainedOnThisPair: boolean;
    readonly calibration: 'own' | 'pooled';
  } | null;
}

export interface LoadedDistribution {
  readonly served: ServedDistribution;
  readonly summary: DistributionSummary;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * distribution.json of a version, checked and compiled for serving; B1 when the version has none (it
 * was published before the distribution was served). A file that is there but unusable refuses the
 * version, as a bad scaler does: serving it as B1 would hide a broken publish.
 */
export function loadDistribution(
  pair: string,
  version: string,
  bytes: Uint8Array | null,
  sequenceLength: number,
): LoadedDistribution {
  if (bytes === null) return compiled(serveDistribution(b1Distribution(sequenceLength)));
  const fail = (reason: string, cause?: unknown): never => {
    throw new ModelLoadError(pair, version, DISTRIBUTION_FILE, reason, { cause });
  };
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    return fail(`not UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const parsed = ForecastDistributionSchema.safeParse(value);
  if (!parsed.success) {
    return fail(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      parsed.error,
    );
  }
  const spec = parsed.data;
  // The predictor hands the scale the model's window: B1 cannot read more closes than that.
  if (spec.b1.window > sequenceLength) {
    fail(`B1 reads ${spec.b1.window} closes, the model's window has ${sequenceLength}`);
  }
  if (spec.scale.kind === 'linear') checkCorrection(spec.scale.correction, fail);
  return compiled(serveDistribution(spec), pair);
}

/** The weights must line up with the inputs this code computes for the spec, in the same order. */
function checkCorrection(correction: ScaleCorrection, fail: (reason: string) => never): void {
  const expected = scaleInputNames(correction.inputs).join(', ');
  if (correction.names.join(', ') !== expected) {
    fail(`the scale correction's inputs are [${correction.names.join(', ')}], its spec gives [${expected}]`);
  }
}

/**
 * The shared network of a version whose distribution serves it, calibrated on every trained pair's
 * validation hours together (pooled_calibration): what serves `pair`, which has no run of its own, until
 * it has one. Null when the version does not serve the network. Nothing was measured for `pair`, and no
 * choice was made for it: held_out and selection are dropped.
 */
export function pooledDistribution(spec: ForecastDistribution, pair: string): LoadedDistribution | null {
  if (spec.scale.kind !== 'shared_network') return null;
  const calibration = spec.scale.network.pooled_calibration;
  return compiled(
    serveDistribution({ ...spec, calibration, held_out: null, selection: null }),
    pair,
    'pooled',
  );
}

function compiled(
  served: ServedDistribution,
  pair?: string,
  calibration: 'own' | 'pooled' = 'own',
): LoadedDistribution {
  const { spec } = served;
  const network = spec.scale.kind === 'shared_network' ? spec.scale.network : null;
  const trainedOnThisPair = network !== null && pair !== undefined && network.trained_on.includes(pair);
  return {
    served,
    summary: {
      scale: spec.scale.kind,
      calibrated: spec.calibration !== null,
      family: spec.family,
      heldOut: spec.held_out,
      selection: spec.selection,
      network:
        network === null
          ? null
          : {
              run: network.run,
              trainedOn: network.trained_on,
              trainedOnThisPair,
              // A pair's own version calibrates on its own validation hours, even one the network did not see.
              calibration,
            },
    },
  };
}

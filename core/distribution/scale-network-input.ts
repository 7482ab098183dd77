import { sigmaB1 } from './baselines.js';
import { scaleInputNames, writeScaleInputs } from './scale-inputs.js';
import { SCALE_SEQUENCE_CHANNELS, writeScaleSequence } from './scale-sequence.js';
import type { SharedNetwork } from './shared-network.js';
import type { ScaleWindow } from './next-close.js';

/** One window as the scale network's graph takes it (batch 1), and the B1 scale its output multiplies. */
export interface ScaleNetworkFeeds {
  /** [1, hours, 2] */
  readonly sequence: Float32Array;
  /** [1, d], raw */
  readonly inputs: Float32Array;
  readonly sigmaB1: number;
}

/**
 * What serving feeds the shared scale network for the forecast after candle `last`: the same numbers the
 * training windows held (training-image/src/scale/windows.ts), from the `windowLength` candles ending at
 * `last` only.
 */
export function scaleNetworkFeeds(
  network: SharedNetwork,
  window: ScaleWindow,
  windowLength: number,
): ScaleNetworkFeeds {
  const { candles, last } = window;
  const ending = candles.slice(last - windowLength + 1, last + 1);
  if (ending.length !== windowLength) {
    throw new RangeError(
      `The scale network needs the ${windowLength} candles ending at ${last}; ${candles.length} given`,
    );
  }
  const base = sigmaB1(ending.map((candle) => candle.close));
  const sequence = new Float32Array(network.hours * SCALE_SEQUENCE_CHANNELS.length);
  writeScaleSequence(ending, windowLength - 1, base, network.hours, sequence);
  const raw = new Float64Array(scaleInputNames(network.inputs).length);
  writeScaleInputs(network.inputs, ending, windowLength - 1, base, window.nextOpenTime, raw, 0, windowLength);
  return { sequence, inputs: Float32Array.from(raw), sigmaB1: base };
}

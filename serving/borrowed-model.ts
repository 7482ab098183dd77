import type { Pair } from '../core/market/pair.js';
import { pooledDistribution } from './distribution-file.js';
import type { LoadedModel } from './model-loader.js';

/**
 * What serves a configured pair that has no version of its own yet (added since the last run, or left out
 * of it): the shared scale network of another pair's version, with the calibration pooled over every pair
 * it was trained on, around the last close. The donor's point model learnt another pair's price levels and
 * says nothing about this one, so the point forecast is "no change", and no test figure is claimed.
 *
 * `donor` must be a load of its own (its sessions pass to the borrowed model and are released with it),
 * never the model the registry serves for the donor's pair. Null when the donor does not serve the network.
 */
export function borrowModel(donor: LoadedModel, pair: Pair): LoadedModel | null {
  const distribution = pooledDistribution(donor.distribution.served.spec, pair);
  if (distribution === null || donor.borrowedFrom !== null) return null;
  return {
    ...donor,
    pair,
    summary: null,
    distribution,
    borrowedFrom: { pair: donor.pair, version: donor.version },
  };
}

/** Whether `model` is the borrowed one `donor`'s latest version would give: nothing to load again. */
export function borrowsFrom(model: LoadedModel | null, donor: Pair, version: string): boolean {
  return model?.borrowedFrom?.pair === donor && model.borrowedFrom.version === version;
}

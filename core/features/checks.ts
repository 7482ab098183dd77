import { FeatureError } from './errors.js';

/** Throws a FeatureError unless `share` is a number strictly between 0 and 1. */
export function assertShare(name: string, share: number): void {
  if (!Number.isFinite(share) || share <= 0 || share >= 1) {
    throw new FeatureError(`${name} must be a number strictly between 0 and 1, got ${share}`);
  }
}

/** Throws a FeatureError unless `value` is an integer of at least `min`. */
export function assertCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new FeatureError(`${name} must be an integer of at least ${min}, got ${value}`);
  }
}

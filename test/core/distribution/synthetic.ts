import { unitFamily, type FamilySpec } from '../../../core/distribution/index.js';
import { mulberry32Advance, mulberry32Output } from '../../../core/random/mulberry32.js';

/** Seeded uniform draws in (0, 1). */
export function uniforms(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = mulberry32Advance(state);
    return Math.min(Math.max(mulberry32Output(state), 1e-12), 1 - 1e-12);
  };
}

/** Draws of a unit-variance family by inversion. */
export function unitDraws(spec: FamilySpec, count: number, seed: number): Float64Array {
  const family = unitFamily(spec);
  const next = uniforms(seed);
  return Float64Array.from({ length: count }, () => family.quantile(next()));
}

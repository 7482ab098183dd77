import { unitFamily, type FamilySpec } from '../../../core/distribution/index.js';
import type { Candle } from '../../../core/market/index.js';
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

const HOUR = 3_600_000;
const START = Date.UTC(2024, 0, 1); // a Monday, 00:00 UTC

// Closes that move by exactly 0.4% every hour (alternating), each candle's range 0.6%, volume 10.
export function steadyCandles(count: number): Candle[] {
  let close = 100;
  return Array.from({ length: count }, (_, i) => {
    const open = close;
    close = open * Math.exp(i % 2 === 0 ? 0.004 : -0.004);
    const low = Math.min(open, close) * Math.exp(-0.001);
    return { openTime: START + i * HOUR, open, high: low * Math.exp(0.006), low, close, volume: 10 };
  });
}

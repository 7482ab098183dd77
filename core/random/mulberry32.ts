/**
 * mulberry32: a tiny seeded PRNG returning floats in [0, 1). The one generator behind
 * everything seeded in the project (training draws, the fake exchange's candles, test
 * and benchmark weights), so a seed means the same numbers everywhere.
 *
 * Its state only ever grows by a constant, so the generator can jump ahead by any
 * number of draws at once (mulberry32Skip): parallel training has each worker draw its
 * own rows of the dropout masks, exactly the numbers a single thread would have drawn.
 */
const INCREMENT = 0x6d2b79f5;

/** The number drawn when the state becomes `state`. */
export function mulberry32Output(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The state after one draw from `state`. */
export function mulberry32Advance(state: number): number {
  return (state + INCREMENT) >>> 0;
}

/** The state after `count` draws from `state`, without drawing them. */
export function mulberry32Skip(state: number, count: number): number {
  // The increment times count, modulo 2^32: Math.imul keeps exactly the low 32 bits.
  return (state + Math.imul(count >>> 0, INCREMENT)) >>> 0;
}

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = mulberry32Advance(state);
    return mulberry32Output(state);
  };
}

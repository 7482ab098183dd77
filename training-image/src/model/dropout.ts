import { SeededRandom } from './random.js';

/** What the dropout masks of a network depend on (a subset of NetworkShape). */
export interface DropoutShape {
  readonly sequenceLength: number;
  readonly hiddenSize: number;
  readonly layers: number;
  readonly dropoutRate: number;
}

export interface DropoutOptions {
  /** Dropout between LSTM layers is applied only when a generator (or masks) is given. */
  readonly dropout?: SeededRandom | undefined;
  /**
   * Ready-made inverted-dropout masks, masks[layer][t] of [B * H], for every layer but the last.
   * Parallel workers draw theirs with dropoutMaskRows: the numbers a single thread would draw,
   * so a seed gives the same run with or without workers.
   */
  readonly masks?: readonly (readonly Float32Array[])[] | undefined;
}

/** Per layer, the inverted-dropout mask on its output at each step ([B * H] each), or null for none. */
export type LayerMasks = readonly (readonly Float32Array[] | null)[];

/**
 * The masks of one training batch, for both LSTM paths: the given ones, else drawn from the
 * generator layer by layer and step by step (the order dropoutMaskRows jumps through); none on the
 * last layer, whose output goes to the head.
 */
export function dropoutMasks(
  shape: DropoutShape,
  batch: number,
  timeSteps: number,
  options: DropoutOptions,
): LayerMasks {
  const random = options.dropout;
  const drawn = random !== undefined && shape.dropoutRate > 0;
  const size = batch * shape.hiddenSize;
  return Array.from({ length: shape.layers }, (_, layer) => {
    const given = options.masks?.[layer];
    if (layer === shape.layers - 1 || (given === undefined && !drawn)) return null;
    return Array.from(
      { length: timeSteps },
      (_, t) => given?.[t] ?? (random as SeededRandom).dropoutMask(size, shape.dropoutRate),
    );
  });
}

/** Where a share of a batch finds its rows of the batch's dropout masks (see dropoutMaskRows). */
export interface DropoutRows {
  /** SeededRandom.position when the batch's masks start. */
  readonly position: number;
  readonly batch: number;
  /** The share's windows: rows [from, to) of the batch. */
  readonly from: number;
  readonly to: number;
}

/** How many numbers dropoutMasks draws for a batch of `batch` windows. */
export function dropoutDraws(shape: DropoutShape, batch: number): number {
  return shape.dropoutRate <= 0 ? 0 : (shape.layers - 1) * shape.sequenceLength * batch * shape.hiddenSize;
}

/**
 * Rows [from, to) of the masks dropoutMasks would draw for the whole batch from a generator at
 * `position` (masks[layer][t] of [(to - from) * H]), drawn by jumping over the other rows: a
 * parallel worker draws only its own share, and a seed gives the same run with or without workers.
 */
export function dropoutMaskRows(shape: DropoutShape, rows: DropoutRows): Float32Array[][] {
  if (shape.dropoutRate <= 0) return [];
  const H = shape.hiddenSize;
  const size = rows.batch * H;
  return Array.from({ length: shape.layers - 1 }, (_, layer) =>
    Array.from({ length: shape.sequenceLength }, (_, t) => {
      const random = new SeededRandom(rows.position);
      random.skip((layer * shape.sequenceLength + t) * size + rows.from * H);
      return random.dropoutMask((rows.to - rows.from) * H, shape.dropoutRate);
    }),
  );
}

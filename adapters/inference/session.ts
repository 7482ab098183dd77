import * as ort from 'onnxruntime-node';
import { recordStartupStep } from '../../core/timing/startup-steps.js';

/**
 * One window is about a millisecond of work: a thread pool costs more than it saves, and a Lambda
 * below 1,769 MB has a single vCPU anyway.
 */
export const DEFAULT_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
};

export type SessionOptions = ort.InferenceSession.SessionOptions;

/** A graph input or output as onnxruntime describes it; `type` is undefined for a non-tensor value. */
export interface TensorSpec {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type: string | undefined;
  /** Fixed dimensions as numbers, symbolic ones (the batch) as their names. */
  readonly shape: readonly (number | string)[];
}

/** A float32 input: row-major data and its dimensions. */
export interface Float32Feed {
  readonly name: string;
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** What onnxruntime refused: unparsable bytes, or an operator it does not run. */
export class OnnxLoadError extends Error {
  public override name = 'OnnxLoadError';
}

function specOf(metadata: ort.InferenceSession.ValueMetadata): TensorSpec {
  if (!metadata.isTensor) return { name: metadata.name, isTensor: false, type: undefined, shape: [] };
  return { name: metadata.name, isTensor: true, type: metadata.type, shape: [...metadata.shape] };
}

/**
 * An ONNX graph loaded into onnxruntime-node: the one place the product runs onnxruntime, for serving and
 * for the training job's parity check alike, so both run a model the same way. Holds native memory until
 * released.
 */
export class OnnxSession {
  public readonly inputs: readonly TensorSpec[];
  public readonly outputs: readonly TensorSpec[];

  private constructor(private readonly session: ort.InferenceSession) {
    this.inputs = session.inputMetadata.map(specOf);
    this.outputs = session.outputMetadata.map(specOf);
  }

  /** OnnxLoadError when onnxruntime refuses the bytes; records the `onnx-session` start-up step. */
  public static async load(
    bytes: Uint8Array,
    options: SessionOptions = DEFAULT_SESSION_OPTIONS,
  ): Promise<OnnxSession> {
    const started = performance.now();
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, options);
    } catch (error) {
      throw new OnnxLoadError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    recordStartupStep('onnx-session', started);
    return new OnnxSession(session);
  }

  public input(name: string): TensorSpec | undefined {
    return this.inputs.find((spec) => spec.name === name);
  }

  public output(name: string): TensorSpec | undefined {
    return this.outputs.find((spec) => spec.name === name);
  }

  /**
   * Runs the graph on float32 feeds and returns the data of every output it produced, by name, with
   * its dimensions.
   */
  public async run(
    feeds: readonly Float32Feed[],
  ): Promise<
    Record<
      string,
      { readonly data: ArrayLike<unknown>; readonly dims: readonly number[]; readonly type: string }
    >
  > {
    const tensors: Record<string, ort.Tensor> = {};
    for (const feed of feeds) tensors[feed.name] = new ort.Tensor('float32', feed.data, [...feed.dims]);
    const results = await this.session.run(tensors);
    const out: Record<string, { data: ArrayLike<unknown>; dims: readonly number[]; type: string }> = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = { data: tensor.data as ArrayLike<unknown>, dims: tensor.dims, type: tensor.type };
    }
    return out;
  }

  public async release(): Promise<void> {
    await this.session.release();
  }
}

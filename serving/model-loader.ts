import type { ArtifactStore } from '../adapters/storage/store.js';
import type { LatestPointer, Manifest } from '../core/artifacts/schemas.js';
import type { Pair } from '../core/market/pair.js';
import { scalerFromJsonText, type MinMaxScaler } from '../core/features/scaler.js';
import { MetricsSchema, type Metrics } from '../core/metrics/schema.js';
import { recordStartupStep } from '../core/timing/startup-steps.js';
import { readOnnxGraph, type OnnxGraphSummary } from '../adapters/inference/onnx-graph.js';
import { OnnxSession, type SessionOptions } from '../adapters/inference/session.js';
import { ModelBoundsError, ModelLoadError, ModelShapeError } from './errors.js';
import { boundProblems } from './model-bounds.js';
import { loadDistribution, type LoadedDistribution } from './distribution-file.js';
import { ONNX_IO, SCALE_ONNX_IO } from '../adapters/inference/onnx-io.js';
import type { SharedNetwork } from '../core/distribution/shared-network.js';
import { issueLines } from '../core/validation/issues.js';
import { scaleInputNames } from '../core/distribution/scale-inputs.js';

/** What loading needs from the artifact store; tests can wrap a real store to count or fail calls. */
export type ModelSource = Pick<
  ArtifactStore,
  'readLatest' | 'readManifest' | 'readFile' | 'readOptionalFile'
>;

/** The part of metrics.json a client sees beside every prediction: the model against doing nothing. */
export interface MetricsSummary {
  /** Mean absolute error of the model on the test windows, in quote currency. */
  readonly testMae: number;
  /** Same, for the naive forecast "next close = last close". */
  readonly naiveMae: number;
  /** 1 - testMae / naiveMae: above 0 beats the naive forecast; -Infinity when naiveMae is 0. */
  readonly skill: number;
  readonly directionAccuracy: number;
  readonly testWindows: number;
}

/** One published version, verified and ready to run, kept for the life of the instance. */
export interface LoadedModel {
  readonly pair: Pair;
  readonly version: string;
  /** When latest.json started pointing at this version. */
  readonly publishedAt: string;
  /** metrics.json's trained_at: what the model's age, and whether it is stale, are measured from. */
  readonly trainedAt: string;
  /** What the network learnt (metrics.json): the close itself, or its change from the last close. */
  readonly targetMode: Metrics['model']['target_mode'];
  readonly sequenceLength: number;
  readonly featureCount: number;
  readonly session: OnnxSession;
  /** scale.onnx's session when the distribution serves the shared scale network; null otherwise. */
  readonly scaleSession: OnnxSession | null;
  /** The scaler this model was trained with; the only one it is ever served with. */
  readonly scaler: MinMaxScaler;
  readonly metrics: Metrics;
  /** The point model's test figures; null for a borrowed model, whose point forecast is the last close. */
  readonly summary: MetricsSummary | null;
  /**
   * The version of another pair whose shared scale network serves this pair, which has no version of its
   * own yet (borrowed-model.ts); null for the pair's own version.
   */
  readonly borrowedFrom: { readonly pair: Pair; readonly version: string } | null;
  /** distribution.json compiled for serving; B1's Gaussian for a version published without it. */
  readonly distribution: LoadedDistribution;
  /** Clock time (ms) the model finished loading. */
  readonly loadedAt: number;
}

export interface LoadModelOptions {
  /** Candle width the server fetches; a model trained on another one is refused. Unchecked when absent. */
  readonly interval?: string;
  /** Default: a single thread (DEFAULT_SESSION_OPTIONS of adapters/inference). */
  readonly sessionOptions?: SessionOptions;
  readonly clock?: () => number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * latest.json's version -> manifest, its signature verified by the store -> model.onnx, scaler.json and
 * metrics.json, each checked against the manifest's size and sha256 by the store -> the bounds (operators,
 * numbers, clock: ModelBoundsError) -> an onnxruntime session, refused unless its input and output agree
 * with the scaler, the manifest and the metrics (ModelShapeError). Storage, signature and checksum failures
 * come out as the store's ArtifactErrors; unusable contents as ModelLoadError.
 */
export async function loadModel(
  store: ModelSource,
  pointer: LatestPointer,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const { pair, version } = pointer;
  const downloadStarted = performance.now();
  const manifest = await store.readManifest(pair, version);
  const [modelBytes, scalerBytes, metricsBytes, distributionBytes, scaleBytes] = await Promise.all([
    store.readFile(manifest, 'model.onnx'),
    store.readFile(manifest, 'scaler.json'),
    store.readFile(manifest, 'metrics.json'),
    store.readOptionalFile(manifest, 'distribution.json'),
    store.readOptionalFile(manifest, 'scale.onnx'),
  ]);
  recordStartupStep('model-download', downloadStarted);

  let scaler: MinMaxScaler;
  try {
    scaler = scalerFromJsonText(utf8.decode(scalerBytes));
  } catch (error) {
    throw new ModelLoadError(pair, version, 'scaler.json', messageOf(error), { cause: error });
  }
  const metrics = parseMetrics(pair, version, metricsBytes);
  const distribution = loadDistribution(pair, version, distributionBytes, metrics.model.sequence_length);
  // Before onnxruntime parses a byte of the graph: its operators, and every number the version brings.
  let graph: OnnxGraphSummary;
  try {
    graph = readOnnxGraph(modelBytes);
  } catch (error) {
    throw new ModelLoadError(pair, version, 'model.onnx', `not an ONNX model: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const served = distribution.served.spec.scale;
  const network = served.kind === 'shared_network' ? served.network : null;
  let scaleGraph: OnnxGraphSummary | null = null;
  if (network !== null && scaleBytes !== null) {
    // The store checked the bytes against the manifest; distribution.json must name the same graph.
    const listed = manifest.optional_files?.['scale.onnx']?.sha256;
    if (listed !== network.sha256) {
      throw new ModelLoadError(
        pair,
        version,
        'scale.onnx',
        `distribution.json names sha256 ${network.sha256}, the manifest lists ${listed}`,
      );
    }
    try {
      scaleGraph = readOnnxGraph(scaleBytes);
    } catch (error) {
      throw new ModelLoadError(pair, version, 'scale.onnx', `not an ONNX model: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
  const bounds = boundProblems({
    version,
    graph,
    metrics,
    featureCount: scaler.features.length,
    distribution: distribution.served.spec,
    scaleGraph,
    now: (options.clock ?? Date.now)(),
  });
  if (bounds.length > 0) throw new ModelBoundsError(pair, version, bounds);

  let session: OnnxSession;
  try {
    session = await OnnxSession.load(modelBytes, options.sessionOptions);
  } catch (error) {
    throw new ModelLoadError(pair, version, 'model.onnx', `onnxruntime refused it: ${messageOf(error)}`, {
      cause: error,
    });
  }

  let scaleSession: OnnxSession | null = null;
  if (network !== null && scaleBytes !== null) {
    try {
      scaleSession = await OnnxSession.load(scaleBytes, options.sessionOptions);
    } catch (error) {
      await session.release().catch(() => undefined);
      throw new ModelLoadError(pair, version, 'scale.onnx', `onnxruntime refused it: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
  const problems = [
    ...shapeProblems({ pointer, manifest, metrics, scaler, session, interval: options.interval }),
    ...(network === null || scaleSession === null ? [] : scaleShapeProblems(network, scaleSession)),
  ];
  if (problems.length > 0) {
    await session.release().catch(() => undefined);
    await scaleSession?.release().catch(() => undefined);
    throw new ModelShapeError(pair, version, problems);
  }
  const test = metrics.test;
  return {
    pair,
    version,
    publishedAt: pointer.published_at,
    trainedAt: metrics.trained_at,
    targetMode: metrics.model.target_mode,
    sequenceLength: metrics.model.sequence_length,
    featureCount: scaler.features.length,
    session,
    scaleSession,
    scaler,
    metrics,
    summary: {
      testMae: test.mae,
      naiveMae: test.naive_mae,
      skill: test.skill,
      directionAccuracy: test.direction_accuracy,
      testWindows: test.windows,
    },
    distribution,
    borrowedFrom: null,
    loadedAt: (options.clock ?? Date.now)(),
  };
}

function parseMetrics(pair: Pair, version: string, bytes: Uint8Array): Metrics {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    throw new ModelLoadError(pair, version, 'metrics.json', `not UTF-8 JSON: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const parsed = MetricsSchema.safeParse(value);
  if (!parsed.success) {
    const problems = issueLines(parsed.error).join('; ');
    throw new ModelLoadError(pair, version, 'metrics.json', problems, { cause: parsed.error });
  }
  return parsed.data;
}

interface ShapeInput {
  readonly pointer: LatestPointer;
  readonly manifest: Manifest;
  readonly metrics: Metrics;
  readonly scaler: MinMaxScaler;
  readonly session: OnnxSession;
  readonly interval: string | undefined;
}

/**
 * Every way the four sources can disagree. The scaler fixes the features (names, order, count), the
 * metrics the sequence length; the graph's fixed dimensions, the manifest and the metrics must agree
 * with both, or the window fed to the session would be read wrongly (or refused at run time).
 */
function shapeProblems({ pointer, manifest, metrics, scaler, session, interval }: ShapeInput): string[] {
  const problems: string[] = [];
  const length = metrics.model.sequence_length;
  const features = scaler.features.length;

  if (metrics.pair !== pointer.pair || metrics.version !== pointer.version) {
    problems.push(
      `metrics.json is about ${metrics.pair} version ${metrics.version}, not ${pointer.pair} version ${pointer.version}`,
    );
  }
  if (metrics.model.target !== 'close') {
    problems.push(`metrics.json says the model predicts ${metrics.model.target}; only close is served`);
  }
  if (metrics.model.feature_count !== features) {
    problems.push(`metrics.json says ${metrics.model.feature_count} features, the scaler has ${features}`);
  }
  const declared = manifest.model;
  if (declared.sequence_length !== undefined && declared.sequence_length !== length) {
    problems.push(
      `manifest.json says sequence length ${declared.sequence_length}, metrics.json says ${length}`,
    );
  }
  if (declared.feature_count !== undefined && declared.feature_count !== features) {
    problems.push(`manifest.json says ${declared.feature_count} features, the scaler has ${features}`);
  }
  if (declared.features !== undefined && declared.features.join(',') !== scaler.features.join(',')) {
    problems.push(
      `manifest.json lists features [${declared.features.join(', ')}], the scaler [${scaler.features.join(', ')}]`,
    );
  }
  const trainedInterval = intervalOf(metrics);
  if (interval !== undefined && trainedInterval !== undefined && trainedInterval !== interval) {
    problems.push(`the model was trained on ${trainedInterval} candles, this server fetches ${interval}`);
  }

  const input = session.input(ONNX_IO.input);
  if (input === undefined) {
    problems.push(`the graph has no input '${ONNX_IO.input}' (inputs: ${names(session.inputs)})`);
  } else if (!input.isTensor || input.type !== 'float32' || input.shape.length !== 3) {
    problems.push(`input '${ONNX_IO.input}' is not a float32 tensor [batch, sequence, feature]`);
  } else {
    const [, steps, columns] = input.shape;
    if (typeof steps === 'number' && steps !== length) {
      problems.push(`the graph takes windows of ${steps} candles, metrics.json says ${length}`);
    }
    if (typeof columns === 'number' && columns !== features) {
      problems.push(
        `the graph takes ${columns} features per candle, the scaler has ${features} (feature set ${scaler.featureSet})`,
      );
    }
  }
  const output = session.output(ONNX_IO.output);
  if (output === undefined) {
    problems.push(`the graph has no output '${ONNX_IO.output}' (outputs: ${names(session.outputs)})`);
  } else if (!output.isTensor || output.type !== 'float32') {
    problems.push(`output '${ONNX_IO.output}' is not a float32 tensor`);
  } else if (output.shape.length !== 2 || (typeof output.shape[1] === 'number' && output.shape[1] !== 1)) {
    problems.push(`output '${ONNX_IO.output}' has shape [${output.shape.join(', ')}], expected [batch, 1]`);
  }
  return problems;
}

/** scale.onnx must take what scaleNetworkFeeds writes for distribution.json's network, and answer one number. */
function scaleShapeProblems(network: SharedNetwork, session: OnnxSession): string[] {
  const problems: string[] = [];
  const expect = (name: string, dims: readonly number[]): void => {
    const spec = session.input(name);
    if (spec === undefined) {
      problems.push(`scale.onnx has no input '${name}' (inputs: ${names(session.inputs)})`);
    } else if (
      !spec.isTensor ||
      spec.type !== 'float32' ||
      spec.shape.length !== dims.length + 1 ||
      dims.some((d, k) => typeof spec.shape[k + 1] === 'number' && spec.shape[k + 1] !== d)
    ) {
      problems.push(
        `scale.onnx input '${name}' is [${spec.shape.join(', ')}], expected float32 [batch, ${dims.join(', ')}]`,
      );
    }
  };
  expect(SCALE_ONNX_IO.sequence, [network.hours, network.channels.length]);
  expect(SCALE_ONNX_IO.inputs, [scaleInputNames(network.inputs).length]);
  const output = session.output(SCALE_ONNX_IO.output);
  if (output === undefined || !output.isTensor || output.type !== 'float32' || output.shape.length !== 2) {
    problems.push(`scale.onnx has no float32 [batch, 1] output '${SCALE_ONNX_IO.output}'`);
  }
  return problems;
}

/** metrics.json records the training parameters; the candle width is under market.interval. */
function intervalOf(metrics: Metrics): string | undefined {
  const market = metrics.parameters['market'];
  if (typeof market !== 'object' || market === null || !('interval' in market)) return undefined;
  return typeof market.interval === 'string' ? market.interval : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function names(specs: readonly { readonly name: string }[]): string {
  return specs.map((spec) => spec.name).join(', ');
}

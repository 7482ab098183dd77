/**
 * The steps between a new process and its first prediction, each recorded once, the first time it
 * ends, as a User Timing measure named `startup:STEP` (performance.getEntriesByType('measure')).
 * `npm run bench:serve` reads them from its cold processes to say where a cold start goes. Later runs
 * of a step are not recorded: Node keeps timeline entries until they are cleared, and they say nothing
 * about the start.
 */
export const STARTUP_STEPS = [
  /** The configuration at the first handler import: the bundle's JSON files, environment, zod. */
  'config',
  /** latest.json is read by the predictor; this is the manifest and the three artifacts. */
  'model-download',
  /** onnxruntime parses and optimizes model.onnx. */
  'onnx-session',
  /** The configured exchange's ccxt module. */
  'exchange-module',
  /** The first candle request: the exchange module, the markets and the candles. */
  'candles',
] as const;

export type StartupStep = (typeof STARTUP_STEPS)[number];

export const STARTUP_MEASURE_PREFIX = 'startup:';

const recorded = new Set<StartupStep>();

/** Records `step` as having run from `startTime` (a performance.now() reading) until now, once. */
export function recordStartupStep(step: StartupStep, startTime: number): void {
  if (recorded.has(step)) return;
  recorded.add(step);
  performance.measure(`${STARTUP_MEASURE_PREFIX}${step}`, { start: startTime, end: performance.now() });
}

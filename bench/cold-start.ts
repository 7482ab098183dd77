/**
 * bench:serve's cold start: the predict handler bundled as infra/lib/function-bundling.ts bundles it
 * (esbuild, ESM, minified, onnxruntime-node external), run in a new node process per run, from spawn to
 * the first answer, with where the time went (core/timing's start-up steps, read from the child).
 */
import { spawn } from 'node:child_process';
import { mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { writeJsonConf } from '../infra/bundling/finish-bundle.js';
import { FUNCTION_ESBUILD } from '../infra/bundling/function-esbuild.js';
import { STARTUP_MEASURE_PREFIX, STARTUP_STEPS, type StartupStep } from '../core/timing/index.js';

export interface ColdStartBundle {
  readonly dir: string;
  readonly bytes: number;
  /** conf/ as the function holds it (JSON, written as finish-bundle.ts writes it): MUR_CONF_DIR. */
  readonly confDir: string;
}

/** One cold start, in ms. */
export interface ColdStartRun {
  /** Spawn to the first answer, as the parent saw it. */
  readonly wall_ms: number;
  /** Spawn to the first line of the script: process creation and Node's own start. */
  readonly process_start_ms: number;
  /** import() of the bundle: parsing it and running its modules' top level, configuration included. */
  readonly module_load_ms: number;
  /** The handler's first call, to its answer. */
  readonly first_request_ms: number;
  /** Parts of the two above, as core/timing recorded them (null: the step did not run). */
  readonly steps_ms: Readonly<Record<StartupStep, number | null>>;
}

interface ChildReport {
  readonly status: number;
  readonly started_ms: number;
  readonly imported_ms: number;
  readonly answered_ms: number;
  readonly steps: Readonly<Record<string, number>>;
}

// The child: performance.now() counts from its own start; the measures are core/timing's.
const COLD_SCRIPT = [
  'const started = performance.now();',
  "const { handler } = await import('./index.mjs');",
  'const imported = performance.now();',
  'const event = JSON.parse(process.env.BENCH_EVENT);',
  "const context = { functionName: 'predict', awsRequestId: 'cold', getRemainingTimeInMillis: () => 29000,",
  "  functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:predict',",
  "  memoryLimitInMB: '1024', logGroupName: '/aws/lambda/predict', logStreamName: 'cold', callbackWaitsForEmptyEventLoop: false };",
  'const result = await handler(event, context);',
  'const answered = performance.now();',
  `const steps = Object.fromEntries(performance.getEntriesByType('measure')`,
  `  .filter((entry) => entry.name.startsWith('${STARTUP_MEASURE_PREFIX}'))`,
  `  .map((entry) => [entry.name.slice(${STARTUP_MEASURE_PREFIX.length}), entry.duration]));`,
  'console.log(JSON.stringify({ status: result.statusCode, started_ms: started, imported_ms: imported,',
  '  answered_ms: answered, steps }));',
  'process.exit(0);',
].join('\n');

/**
 * Bundles the Lambda entry functions/lambda/predict.ts into `dir`, with onnxruntime-node linked beside it
 * and conf/ written beside it as JSON.
 */
export async function bundlePredict(root: string, dir: string): Promise<ColdStartBundle> {
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(
    join(root, 'node_modules', 'onnxruntime-node'),
    join(dir, 'node_modules', 'onnxruntime-node'),
  );
  await build({
    ...FUNCTION_ESBUILD,
    mainFields: [...FUNCTION_ESBUILD.mainFields],
    external: [...FUNCTION_ESBUILD.external],
    entryPoints: [join(root, 'functions/lambda/predict.ts')],
    outfile: join(dir, 'index.mjs'),
    logLevel: 'error',
  });
  await writeFile(join(dir, 'cold.mjs'), COLD_SCRIPT);
  const confDir = join(dir, 'conf');
  writeJsonConf(join(root, 'conf'), confDir);
  return { dir, bytes: (await stat(join(dir, 'index.mjs'))).size, confDir };
}

/**
 * One new process answering `event` with the bundle, in `env` (PATH is added). `nodeArgs` go before the
 * script, for example `--cpu-prof` to see inside a cold start.
 */
export async function runColdStart(
  bundle: ColdStartBundle,
  env: Readonly<Record<string, string>>,
  event: unknown,
  nodeArgs: readonly string[] = [],
): Promise<ColdStartRun> {
  const spawned = performance.now();
  const line = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, join(bundle.dir, 'cold.mjs')], {
      cwd: bundle.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', ...env, BENCH_EVENT: JSON.stringify(event) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(stdout.trim());
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      if (!stdout.includes('\n')) reject(new Error(`cold start process exited with ${code}: ${stderr}`));
    });
  });
  const wall = performance.now() - spawned;
  const report = JSON.parse(line) as ChildReport;
  if (report.status !== 200) throw new Error(`cold start answered ${report.status}`);
  const steps = Object.fromEntries(
    STARTUP_STEPS.map((step) => {
      const ms = report.steps[step];
      return [step, ms === undefined ? null : round(ms)];
    }),
  ) as Record<StartupStep, number | null>;
  return {
    wall_ms: round(wall),
    process_start_ms: round(wall - (report.answered_ms - report.started_ms)),
    module_load_ms: round(report.imported_ms - report.started_ms),
    first_request_ms: round(report.answered_ms - report.imported_ms),
    steps_ms: steps,
  };
}

/**
 * The median of each figure over the runs, laid out as where the time goes: the parts that are not a
 * recorded step are named for what they hold.
 */
export function coldStartBreakdown(runs: readonly ColdStartRun[]): Record<string, number | null> {
  const med = (pick: (run: ColdStartRun) => number | null): number | null => {
    const values = runs.map(pick).filter((value): value is number => value !== null);
    return values.length === 0 ? null : round(median(values));
  };
  const step = (name: StartupStep) => (run: ColdStartRun) => run.steps_ms[name];
  const rest = (run: ColdStartRun): number =>
    run.first_request_ms -
    (run.steps_ms['model-download'] ?? 0) -
    (run.steps_ms['onnx-session'] ?? 0) -
    (run.steps_ms.candles ?? 0);
  return {
    process_start: med((run) => run.process_start_ms),
    module_load: med((run) => run.module_load_ms),
    'module_load.config': med(step('config')),
    first_request: med((run) => run.first_request_ms),
    'first_request.model_download': med(step('model-download')),
    'first_request.onnx_session': med(step('onnx-session')),
    'first_request.candles': med(step('candles')),
    'first_request.candles.exchange_module': med(step('exchange-module')),
    'first_request.rest': med(rest),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function round(value: number): number {
  return Number(value.toFixed(1));
}

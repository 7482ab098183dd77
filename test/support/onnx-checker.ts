/**
 * Runs the official ONNX checker (Python `onnx`, `onnx.checker.check_model(model,
 * full_check=True)`) on model bytes, through test/support/onnx_check.py.
 *
 * Without Python or its onnx module the check is skipped with a plain reason, except on CI
 * (CI=true), where the checker is installed (apt-get install python3-onnx) and a missing
 * one is a failure.
 */
import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SCRIPT = fileURLToPath(new URL('./onnx_check.py', import.meta.url));
/** Debian's interpreter, where python3-onnx installs; a pyenv python3 on PATH usually lacks onnx. */
export const DEFAULT_CHECKER_PYTHON = '/usr/bin/python3';
const EXIT_INVALID = 1;
const EXIT_NO_ONNX = 3;

export type OnnxCheckResult =
  | {
      readonly status: 'passed';
      readonly irVersion: number;
      /** Opset per domain; the default domain is 'ai.onnx'. */
      readonly opsets: Readonly<Record<string, number>>;
      readonly onnxVersion: string;
    }
  | { readonly status: 'skipped'; readonly reason: string };

export interface OnnxCheckOptions {
  /** Interpreter to run; default ONNX_CHECK_PYTHON from the environment, else /usr/bin/python3. */
  readonly python?: string;
  /** Environment to read CI and ONNX_CHECK_PYTHON from; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The checker rejected the model, or could not run where it must (CI). */
export class OnnxCheckError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OnnxCheckError';
  }
}

interface ExecFailure {
  readonly code?: number | string;
  readonly stderr?: string;
  readonly message: string;
}

function isExecFailure(error: unknown): error is ExecFailure {
  return error instanceof Error;
}

/**
 * @throws OnnxCheckError with the checker's message when the model is invalid, or when
 *   the checker is missing and CI is 'true'.
 */
export async function checkOnnxModel(
  bytes: Uint8Array,
  options: OnnxCheckOptions = {},
): Promise<OnnxCheckResult> {
  const env = options.env ?? process.env;
  const python = options.python ?? env.ONNX_CHECK_PYTHON ?? DEFAULT_CHECKER_PYTHON;
  const unavailable = (reason: string): OnnxCheckResult => {
    if (env.CI === 'true') {
      throw new OnnxCheckError(
        `${reason}; on CI the ONNX checker is required (apt-get install python3-onnx)`,
      );
    }
    return { status: 'skipped', reason };
  };

  try {
    await access(python, constants.X_OK);
  } catch {
    return unavailable(`${python} is not an executable Python interpreter`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'onnx-check-'));
  try {
    const file = join(dir, 'model.onnx');
    await writeFile(file, bytes);
    const { stdout } = await run(python, [SCRIPT, file], { timeout: 120_000, maxBuffer: 4 * 1024 * 1024 });
    const summary = JSON.parse(stdout) as {
      ir_version: number;
      opsets: Record<string, number>;
      onnx_version: string;
    };
    return {
      status: 'passed',
      irVersion: summary.ir_version,
      opsets: summary.opsets,
      onnxVersion: summary.onnx_version,
    };
  } catch (error) {
    if (!isExecFailure(error)) throw error;
    const detail = error.stderr?.trim() || error.message;
    if (error.code === 'ENOENT') return unavailable(`${python} could not be started`);
    if (error.code === EXIT_NO_ONNX) return unavailable(`${python} has no onnx module: ${detail}`);
    if (error.code === EXIT_INVALID) throw new OnnxCheckError(`ONNX checker rejected the model: ${detail}`);
    throw new OnnxCheckError(`ONNX checker failed to run (${error.code ?? 'no exit code'}): ${detail}`, {
      cause: error,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

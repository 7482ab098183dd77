import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Debian's python3-torch lives under the system interpreter, not a pyenv one. */
const PYTHON = process.env['BENCH_PYTHON'] ?? '/usr/bin/python3';
/** The point model's reference; bench/train-scale.ts passes the scale network's. */
const POINT_SCRIPT = fileURLToPath(new URL('./torch_reference.py', import.meta.url));

export type TorchResult =
  { readonly ok: true; readonly [key: string]: unknown } | { readonly ok: false; readonly reason: string };

/** Runs a PyTorch reference script; a missing interpreter or torch is reported, not thrown. */
export async function runTorchReference(
  args: readonly string[],
  script: string = POINT_SCRIPT,
): Promise<TorchResult> {
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} not found` };
  try {
    const { stdout } = await run(PYTHON, [script, ...args], { maxBuffer: 1 << 20, timeout: 600_000 });
    const last = stdout.trim().split('\n').pop() ?? '{}';
    return { ok: true, ...(JSON.parse(last) as Record<string, unknown>) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      reason: /No module named 'torch'/.test(message)
        ? 'torch is not installed (apt-get install python3-torch)'
        : message.split('\n').slice(-3).join(' '),
    };
  }
}

/** What a reference run says about its torch build and threads, for the bench's JSON. */
export function torchBuild(
  torch: TorchResult & { readonly ok: true },
  threadsOption: string | undefined,
): Record<string, unknown> {
  return {
    version: torch['torch'],
    threads: torch['threads'],
    openblas_threads: Number(process.env['OPENBLAS_NUM_THREADS']),
    threads_why: threadsOption === '1' ? 'fastest on this 2-core machine' : '--torch-threads',
    blas: torch['blas'],
  };
}

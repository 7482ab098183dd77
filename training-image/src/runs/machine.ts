import { arch, cpus, platform, totalmem } from 'node:os';
import type { RunMachine } from '../../../core/runs/run-record.js';
import type { BackendInfo } from '../tf/backend.js';
import { backendSummary } from '../pipeline/summary.js';

/** The machine this process runs on, with the TensorFlow.js backend it trains on. */
export function thisMachine(
  backend: BackendInfo,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): RunMachine {
  const cores = cpus();
  return {
    backend: backendSummary(backend),
    platform: platform(),
    arch: arch(),
    cpus: cores.length,
    cpu_model: (cores[0]?.model ?? 'unknown').trim().slice(0, 256) || 'unknown',
    memory_mb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    batch_job: environment['AWS_BATCH_JOB_ID'] ?? null,
  };
}

import { availableParallelism } from 'node:os';
import type { NetworkShape } from '../../model/network.js';
import type { BackendInfo } from '../../tf/backend.js';
import { GradientWorkers } from './pool.js';

/**
 * The gradient workers a run should use: none on the native TensorFlow backends
 * (they thread their own kernels), `training.workers` of them on wasm and cpu,
 * where `auto` means one per core when there is more than one.
 */
export async function startWorkersFor(
  setting: 'auto' | number,
  backend: BackendInfo,
  shape: NetworkShape,
): Promise<GradientWorkers | null> {
  if (backend.name !== 'wasm' && backend.name !== 'cpu') return null;
  const cores = availableParallelism();
  const count = setting === 'auto' ? (cores > 1 ? cores : 0) : setting;
  if (count === 0) return null;
  return GradientWorkers.start(count, shape, backend.name);
}

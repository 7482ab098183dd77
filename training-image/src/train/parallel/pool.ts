import { Worker } from 'node:worker_threads';
import type { DropoutRows } from '../../model/dropout.js';
import type { NetworkShape } from '../../model/network.js';
import type { FromWorker, ToWorker } from './protocol.js';

export interface GradientShare {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly dropout: DropoutRows | null;
}

export interface CombinedGradients {
  readonly loss: number;
  readonly grads: Float32Array[];
}

/**
 * Data-parallel gradients on worker threads: TensorFlow.js's wasm backend runs
 * one thread (its threaded build cannot start under Node: its pthreads come from
 * blob: URLs, which worker_threads refuses), so each worker runs its own backend
 * on its own core over a share of every batch, and the shares' gradients are
 * averaged weighted by their sizes, which is the gradient of the whole batch.
 */
export class GradientWorkers {
  private readonly workers: Worker[];
  private nextId = 0;

  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  public get size(): number {
    return this.workers.length;
  }

  public static async start(
    count: number,
    shape: NetworkShape,
    backend: 'wasm' | 'cpu',
  ): Promise<GradientWorkers> {
    const url = new URL('./worker-entry.mjs', import.meta.url);
    const workers = Array.from({ length: count }, () => new Worker(url));
    const pool = new GradientWorkers(workers);
    try {
      await Promise.all(
        workers.map((worker) =>
          pool.request(worker, { type: 'init', shape, backend }, (m) => m.type === 'ready'),
        ),
      );
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** The loss and gradients of the whole batch made of `shares`, one share per worker. */
  public async gradients(
    weights: readonly Float32Array[],
    shares: readonly GradientShare[],
  ): Promise<CombinedGradients> {
    if (shares.length > this.workers.length)
      throw new Error(`${shares.length} shares for ${this.workers.length} workers`);
    // Sizes are read before posting: the buffers are transferred, which empties them here.
    const sizes = shares.map((share) => share.y.length);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    const replies = await Promise.all(
      shares.map((share, i) => {
        const id = this.nextId++;
        return this.request(
          this.workers[i] as Worker,
          { type: 'gradients', id, weights: weights.map((w) => w.slice()), ...share },
          (m) => m.type === 'gradients' && m.id === id,
        );
      }),
    );
    let loss = 0;
    let grads: Float32Array[] | null = null;
    replies.forEach((reply, i) => {
      if (reply.type !== 'gradients') return;
      const weight = (sizes[i] as number) / total;
      loss += reply.loss * weight;
      if (grads === null) {
        grads = reply.grads.map((g) => g.map((v) => v * weight));
      } else {
        for (let k = 0; k < grads.length; k++) {
          const into = grads[k] as Float32Array;
          const from = reply.grads[k] as Float32Array;
          for (let j = 0; j < into.length; j++) into[j] = (into[j] as number) + (from[j] as number) * weight;
        }
      }
    });
    if (grads === null) throw new Error('no gradients came back');
    return { loss, grads };
  }

  public async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private request(
    worker: Worker,
    message: ToWorker,
    isReply: (m: FromWorker) => boolean,
  ): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: FromWorker): void => {
        if (reply.type === 'error') {
          cleanup();
          reject(new Error(`gradient worker: ${reply.message}`));
        } else if (isReply(reply)) {
          cleanup();
          resolve(reply);
        }
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      const transfer =
        message.type === 'gradients'
          ? [message.x.buffer, message.y.buffer, ...message.weights.map((w) => w.buffer)]
          : [];
      worker.postMessage(message, transfer as ArrayBuffer[]);
    });
  }
}

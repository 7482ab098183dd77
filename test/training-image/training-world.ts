/**
 * A training job's world: the fake exchange and the S3-compatible server on loopback over a temporary
 * folder, conf/local made tiny and pointing at both, the TensorFlow.js backend, and the signing store
 * and the run records beside it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../adapters/storage/index.js';
import { RunRecords } from '../../adapters/storage/run-records.js';
import type { Config } from '../../core/config/index.js';
import { startFakeExchange, type FakeExchange } from '../../local/fake-exchange/index.js';
import { startS3Server, type S3Server } from '../../local/s3-server.js';
import { selectBackend, type BackendInfo } from '../../training-image/src/tf/backend.js';
import { smallConfig } from '../support/small-config.js';

export interface TrainingWorld {
  /** The temporary folder the S3-compatible server keeps its objects in; removed by close(). */
  readonly dir: string;
  readonly exchange: FakeExchange;
  readonly s3: S3Server;
  readonly backend: BackendInfo;
  /** smallConfig with `config` laid over it, pointing at the exchange and the bucket. */
  readonly config: Config;
  readonly store: ArtifactStore;
  readonly records: RunRecords;
  close(): Promise<void>;
}

export async function startTrainingWorld(options: {
  /** Names the temporary folder and the bucket (`<name>-models`). */
  readonly name: string;
  /** The fake exchange's seed. */
  readonly seed: number;
  readonly config?: Record<string, unknown>;
}): Promise<TrainingWorld> {
  const bucket = `${options.name}-models`;
  const dir = await mkdtemp(join(tmpdir(), `${options.name}-`));
  const exchange = await startFakeExchange({ seed: options.seed });
  const s3 = await startS3Server({ directory: dir, buckets: [bucket] });
  const backend = await selectBackend('auto');
  const config = smallConfig({
    ...options.config,
    exchange: { url: exchange.url },
    storage: { bucket, endpoint: s3.endpoint },
  });
  const store = ArtifactStore.fromConfig(config.storage, { keyUse: 'sign' });
  return {
    dir,
    exchange,
    s3,
    backend,
    config,
    store,
    records: RunRecords.beside(store),
    close: async () => {
      await s3.close();
      await exchange.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

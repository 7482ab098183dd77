import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createS3Client } from '../../adapters/storage/client.js';
import { RunRecords } from '../../adapters/storage/run-records.js';
import type { StorageConfig } from '../../core/config/schema.js';
import { startS3Server } from '../s3-server.js';

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class RunsUsageError extends Error {
  public override readonly name = 'RunsUsageError';
}

/** Where `npm run runs` reads: an S3-compatible endpoint, the configuration's store, or the local stack's files. */
export interface RunStoreFlags {
  /** Read this S3-compatible endpoint (a running local stack's, MinIO) instead. */
  readonly endpoint?: string | undefined;
  /** The local stack's objects (`npm start --data-dir`), read through a private server; the default store. */
  readonly dataDir: string;
  /** Read the configuration's store (AWS S3 or its endpoint) instead of the local stack's files. */
  readonly configStore: boolean;
}

export interface RunStore {
  readonly records: RunRecords;
  /** Where the records were read, for the output's first line. */
  readonly where: string;
  close(): Promise<void>;
}

/**
 * The run records to read. By default the local stack's: its objects are files under `.local/s3`, served
 * by an S3-compatible server on a port of its own choosing while `npm start` runs, so this starts a private
 * one over the same files for as long as the command runs (it only reads). `--endpoint` reads any
 * S3-compatible server instead, and `--config-store` the configuration's own store (conf/{env}'s storage:
 * AWS S3 deployed).
 */
export async function openRunStore(storage: StorageConfig, flags: RunStoreFlags): Promise<RunStore> {
  const { bucket, prefix } = storage;
  const at = (endpoint: string | null): RunRecords =>
    new RunRecords({ client: createS3Client({ ...storage, endpoint }), bucket, prefix });
  if (flags.endpoint !== undefined) {
    return {
      records: at(flags.endpoint),
      where: `${flags.endpoint}, bucket ${bucket}`,
      close: async () => {},
    };
  }
  if (flags.configStore) {
    const where =
      storage.endpoint === null ? `s3://${bucket}/${prefix}` : `${storage.endpoint}, bucket ${bucket}`;
    return { records: at(storage.endpoint), where, close: async () => {} };
  }
  const directory = resolve(flags.dataDir);
  if (!existsSync(directory)) {
    throw new RunsUsageError(
      `no local store at ${directory}: \`npm start\` makes it and records every run there ` +
        '(or read another store with --endpoint URL or --config-store)',
    );
  }
  // s3rver keeps a bucket as a folder of its name: without it, nothing was ever recorded here.
  if (!existsSync(join(directory, bucket))) {
    throw new RunsUsageError(
      `no bucket ${bucket} in ${directory} yet: \`npm start\` makes it and records every run there`,
    );
  }
  const server = await startS3Server({ directory });
  return {
    records: at(server.endpoint),
    where: `${directory}, bucket ${bucket}`,
    close: () => server.close(),
  };
}

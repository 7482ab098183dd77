import { RunRecords } from '../../adapters/storage/run-records.js';
import { SERVING_S3_OPTIONS, createS3Client } from '../../adapters/storage/client.js';
import { heldoutHandler } from '../handlers/heldout.js';
// The configuration alone and an S3 client (startup.js), not init.js's runtime: held-out hours need no
// model, no signing key and no onnxruntime, and the bundle then carries none of them.
import { startup } from './startup.js';

const { storage } = startup.config;

/** The Lambda entry of GET /heldout. */
export const handler = heldoutHandler({
  config: startup.config,
  runs: new RunRecords({
    client: createS3Client(storage, SERVING_S3_OPTIONS),
    bucket: storage.bucket,
    prefix: storage.prefix,
  }),
});

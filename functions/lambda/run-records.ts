import { RunRecords } from '../../adapters/storage/run-records.js';
import { SERVING_S3_OPTIONS, createS3Client } from '../../adapters/storage/client.js';
// The configuration alone and an S3 client (startup.js), not init.js's runtime: run records and their
// held-out hours need no model, no signing key and no onnxruntime, and the bundles then carry none of them.
import { startup } from './startup.js';

const { storage } = startup.config;

/** The run records of the configured bucket and prefix, as GET /runs and GET /heldout read them. */
export const runRecords = new RunRecords({
  client: createS3Client(storage, SERVING_S3_OPTIONS),
  bucket: storage.bucket,
  prefix: storage.prefix,
});

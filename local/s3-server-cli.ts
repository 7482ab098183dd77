import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_CREDENTIALS } from '../adapters/storage/client.js';
import { startS3Server } from './s3-server.js';
import { stopOnSignal } from './stop-on-signal.js';

/**
 * Runs the local S3-compatible server until Ctrl-C:
 *   tsx local/s3-server-cli.ts --port 9000 --dir .local/s3 --bucket local-models
 * Objects stay in --dir between runs. It answers only requests signed (AWS Signature V4) with the
 * local credentials (S3RVER / S3RVER, what the project's clients use when the environment names no
 * keys) or with --access-key-id and --secret-access-key, and never a web page: see s3-server.ts.
 */

const USAGE =
  'usage: s3-server-cli [--port 9000] [--host 127.0.0.1] [--dir .local/s3] [--bucket NAME]... ' +
  '[--access-key-id S3RVER --secret-access-key S3RVER]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9000' },
      host: { type: 'string', default: '127.0.0.1' },
      dir: { type: 'string', default: '.local/s3' },
      bucket: { type: 'string', multiple: true, default: [] },
      'access-key-id': { type: 'string', default: LOCAL_CREDENTIALS.accessKeyId },
      'secret-access-key': { type: 'string', default: LOCAL_CREDENTIALS.secretAccessKey },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  }
  const directory = resolve(values.dir);
  const credentials = {
    accessKeyId: values['access-key-id'],
    secretAccessKey: values['secret-access-key'],
  };
  const server = await startS3Server({
    directory,
    port,
    host: values.host,
    buckets: values.bucket,
    credentials,
  });
  console.log(
    `S3-compatible server on ${server.endpoint}, storing in ${directory}; it answers requests signed ` +
      `with access key ${credentials.accessKeyId}, never a web page (Ctrl-C stops it)`,
  );

  stopOnSignal(
    () => server.close(),
    (signal) => console.log(`${signal}: stopping`),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});

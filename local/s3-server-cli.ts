import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startS3Server } from './s3-server.js';
import { stopOnSignal } from './stop-on-signal.js';

/**
 * Runs the local S3-compatible server until Ctrl-C:
 *   tsx local/s3-server-cli.ts --port 9000 --dir .local/s3 --bucket local-models
 * Objects stay in --dir between runs.
 */

const USAGE = 'usage: s3-server-cli [--port 9000] [--host 127.0.0.1] [--dir .local/s3] [--bucket NAME]...';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9000' },
      host: { type: 'string', default: '127.0.0.1' },
      dir: { type: 'string', default: '.local/s3' },
      bucket: { type: 'string', multiple: true, default: [] },
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
  const server = await startS3Server({ directory, port, host: values.host, buckets: values.bucket });
  console.log(`S3-compatible server on ${server.endpoint}, storing in ${directory} (Ctrl-C stops it)`);

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

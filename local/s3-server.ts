import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import { LOCAL_CREDENTIALS } from '../adapters/storage/client.js';
import { CHILD_SCRIPT } from './s3/child-script.js';
import { ownHostnames } from './s3/hostnames.js';

/**
 * An S3-compatible server on loopback for tests and the local stack: s3rver, which stores objects
 * as files under `directory` and answers @aws-sdk/client-s3 v3 with path-style addressing.
 *
 * s3rver runs in a child process started with `--openssl-legacy-provider`: it encrypts its
 * ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17 and later) only has in the
 * legacy provider, so in-process it answers 500 to any listing longer than one page. A child also
 * keeps s3rver's own loggers and globals out of the process that uses it.
 *
 * What the artifact store needs from it, checked by test/local/s3-server.test.ts: PutObject,
 * GetObject, HeadObject, HeadBucket, CreateBucket, ListObjectsV2 (prefix, delimiter, pagination),
 * DeleteObject, and conditional PutObject (If-Match, If-None-Match) with atomic replacement, which
 * the child adds to s3rver (see child-script.ts). Known gaps: DeleteObjects runs its deletes concurrently and answers 500 when two keys
 * share a folder (so the store deletes one key at a time); no versioning, ACLs, lifecycle or object
 * lock; x-amz-checksum-* headers are accepted but never verified, and aws-chunked upload bodies
 * (what the SDK sends for a stream by default) are stored with their framing, which is why
 * createS3Client turns request checksums off for custom endpoints.
 *
 * What it refuses, and why. s3rver alone takes anonymous requests, form uploads included, from anyone
 * who can reach the port, and a web page can: a cross-origin form POST wrote into the bucket, and a
 * page could plant a latest.json, a manifest and a model with matching hashes, which the local stack
 * serves within a second. s3rver never verifies a Signature V4 either (it looks the access key up and
 * accepts any signature). So a guard runs first on every request (s3/request-guard-script.ts) and
 * answers an S3 error document whose message and <Rule> element name the rule that refused it:
 * - `no-web-pages` (403 AccessDenied): an `Origin` header, or `Sec-Fetch-Site` other than `none`
 *   (`none`: an address typed by the user). Browsers send Origin with every POST, PUT and CORS request,
 *   and current ones Sec-Fetch-Site with every request to a loopback or https address; the SDK and
 *   other programs send neither. What a page can still send without them (a GET from an older
 *   browser) carries no signature, and a GET writes nothing.
 * - `own-host-only` (403 AccessDenied): a `Host` whose name is not the server's own (127.0.0.1,
 *   localhost or ::1 for a loopback listener, as the SDK sends it from the endpoint URL). A page on
 *   another name that resolves to 127.0.0.1 (DNS rebinding) is same-origin to itself: its GETs carry
 *   no Origin, no Sec-Fetch-Site (not a secure context) and any header it likes, but its Host is its
 *   own name. The port is not checked: a browser always sends the port it connected to, and a relay
 *   (an SSH tunnel, the tests' fault proxy) another one.
 * - `no-form-uploads` (403 AccessDenied): a multipart/form-data body, or any POST to a bucket other
 *   than DeleteObjects: s3rver's browser-upload route, which nothing in the project uses.
 * - `signed-requests-only`: every request must carry AWS Signature V4, in the Authorization header or
 *   as a presigned query, made with `credentials` (by default LOCAL_CREDENTIALS, what the project's
 *   clients use), and the guard verifies it (canonical request, string to sign, HMAC-SHA256 key
 *   chain). None: 403 AccessDenied; another access key: 403 InvalidAccessKeyId; a wrong secret or a
 *   changed request: 403 SignatureDoesNotMatch; signed more than 15 minutes off: 403
 *   RequestTimeTooSkewed; an expired presigned URL: 403 AccessDenied; Signature V2: 400
 *   InvalidRequest; malformed: 400 AuthorizationHeaderMalformed or AuthorizationQueryParametersError.
 *   The local keys are public, so a signature proves no identity: it proves the sender is an S3 client
 *   configured for this server, and no page can put one in a form or a plain link.
 * The body is not hashed against x-amz-content-sha256 (it would have to be buffered before s3rver
 * reads it, and anyone can sign with the public keys): integrity is the manifest's sha256s' job.
 */

export interface S3ServerOptions {
  /** Where objects are stored; created if missing, kept after close (the local stack restarts on it). */
  readonly directory: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Buckets created before the server answers, if they do not exist yet. */
  readonly buckets?: readonly string[];
  /** How long the child may take to listen; default 15 s. */
  readonly startTimeoutMs?: number;
  /**
   * The only keys a request may be signed with; default LOCAL_CREDENTIALS, the keys createS3Client
   * gives a client of a custom endpoint when the environment names none.
   */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface S3Server {
  /** Base URL for StorageConfig.endpoint, for example http://127.0.0.1:9000. */
  readonly endpoint: string;
  readonly port: number;
  /**
   * The child process's id: fault tests pause the server with SIGSTOP (connections stay open, nothing
   * answers, as with a hung store) and resume it with SIGCONT.
   */
  readonly pid: number;
  /** Stops the server (requests in flight get a second to finish); resolves when the port is free. */
  close(): Promise<void>;
}

type ChildMessage = { type: 'listening'; port: number } | { type: 'error'; message: string };

function isChildMessage(value: unknown): value is ChildMessage {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  return (
    (value.type === 'listening' && 'port' in value && typeof value.port === 'number') ||
    (value.type === 'error' && 'message' in value && typeof value.message === 'string')
  );
}

function urlHost(host: string): string {
  // A wildcard address is not something a client can connect to; loopback reaches it.
  if (host === '0.0.0.0' || host === '::') {
    return '127.0.0.1';
  }
  return host.includes(':') ? `[${host}]` : host;
}

/** The machine's own addresses, for a server listening on every interface. */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) =>
    (entries ?? []).map((entry) => entry.address),
  );
}

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const host = options.host ?? '127.0.0.1';
  const { accessKeyId, secretAccessKey } = options.credentials ?? LOCAL_CREDENTIALS;
  if (accessKeyId === '' || secretAccessKey === '') {
    throw new Error('The local S3 server needs a non-empty access key id and secret access key');
  }
  await mkdir(options.directory, { recursive: true });
  const s3rverModule = createRequire(import.meta.url).resolve('s3rver');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, S3RVER_MODULE: s3rverModule },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // Kept for the error message if the child fails to start; bounded so a chatty child cannot grow it.
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const settle = (outcome: { port: number } | { reason: string }): void => {
      clearTimeout(timer);
      child.off('error', onError);
      child.off('exit', onExit);
      child.off('message', onMessage);
      if ('port' in outcome) {
        resolve(outcome.port);
        return;
      }
      child.kill('SIGKILL');
      const detail = stderr === '' ? '' : `\n${stderr}`;
      reject(new Error(`The local S3 server did not start: ${outcome.reason}${detail}`));
    };
    const onError = (error: Error): void => settle({ reason: error.message });
    const onExit = (code: number | null, signal: string | null): void =>
      settle({ reason: `child exited (${signal ?? code})` });
    const onMessage = (message: unknown): void => {
      if (!isChildMessage(message)) return;
      settle(message.type === 'listening' ? { port: message.port } : { reason: message.message });
    };
    const timer = setTimeout(() => settle({ reason: 'timed out' }), options.startTimeoutMs ?? 15_000);
    child.on('error', onError);
    child.on('exit', onExit);
    child.on('message', onMessage);
    child.send({
      type: 'start',
      options: {
        address: host,
        port: options.port ?? 0,
        directory: options.directory,
        silent: true,
        resetOnClose: false,
        // Path-style only (the store's client forces it): a Host header is never read as a bucket name.
        vhostBuckets: false,
        configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
      },
      policy: { accessKeyId, secretAccessKey, hostnames: ownHostnames(host, interfaceAddresses()) },
    });
  });

  // A child that sent 'listening' was spawned: it has a pid. Checked, never defaulted: a fault test
  // signalling a made-up pid (-1 means every process) must not happen.
  const pid = child.pid;
  if (pid === undefined) throw new Error('The local S3 server started without a process id');
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${urlHost(host)}:${port}`,
    port,
    pid,
    close: () => {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          if (child.connected) child.send({ type: 'close' });
          else child.kill('SIGTERM');
        }
        await exited;
      })();
      return closing;
    },
  };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, type S3ClientOptions } from '../../../adapters/storage/client.js';
import { ArtifactStore } from '../../../adapters/storage/store.js';
import type { ArtifactFiles, PublishOutcome } from '../../../adapters/storage/index.js';
import { newVersion } from '../../../core/artifacts/layout.js';
import { startS3Server, type S3Server } from '../../../local/s3-server.js';
import { testSigningKey } from '../../support/signing.js';

export const BUCKET = 'test-models';
export const REGION = 'us-east-1';

/** The SDK's own retries would only slow the failure tests down; each test that wants them says so. */
export const FAST: S3ClientOptions = {
  maxAttempts: 1,
  connectionTimeoutMs: 500,
  requestTimeoutMs: 2_000,
  env: {},
};

export interface TestS3 {
  readonly server: S3Server;
  stop(): Promise<void>;
}

/** The real S3-compatible server on a free port, storing under a temporary folder it removes on stop. */
export async function startTestS3(buckets: readonly string[] = [BUCKET]): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'artifacts-s3-'));
  const server = await startS3Server({ directory, buckets });
  const stop = async (): Promise<void> => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  };
  return { server, stop };
}

/** A store of its own for one test: a prefix no other test of the suite writes under. */
export interface FreshStore {
  readonly prefix: string;
  readonly store: ArtifactStore;
}

/** The suite's server and client, set once the suite's `before` hook has run. */
export interface SuiteS3 {
  readonly server: S3Server;
  readonly client: S3Client;
  /** A store under `${label}${n}/`, n counting up per call, so no test sees another's objects. */
  freshStore(label: string, options?: { clock?: () => Date }): FreshStore;
}

/**
 * Starts the real server before the enclosing describe's tests, with one client of it, and stops both
 * after. Call it in the describe body; read its fields in tests and hooks only.
 */
export function useTestS3(clientOptions: S3ClientOptions = FAST): SuiteS3 {
  let started: { s3: TestS3; client: S3Client } | undefined;
  let count = 0;
  before(async () => {
    const s3 = await startTestS3();
    started = { s3, client: clientFor(s3.server.endpoint, clientOptions) };
  });
  after(async () => {
    started?.client.destroy();
    await started?.s3.stop();
  });
  const running = (): { s3: TestS3; client: S3Client } => {
    if (started === undefined) throw new Error('useTestS3: the server is read before its before hook ran');
    return started;
  };
  return {
    get server() {
      return running().s3.server;
    },
    get client() {
      return running().client;
    },
    freshStore(label, options = {}) {
      count += 1;
      const prefix = `${label}${count}/`;
      return { prefix, store: storeFor(running().client, { ...options, prefix }) };
    },
  };
}

export function clientFor(endpoint: string, options: S3ClientOptions = FAST): S3Client {
  return createS3Client({ endpoint, region: REGION }, options);
}

/** Writes one object behind the store's back: a half-finished upload, a stray or tampered file. */
export async function rawPut(client: S3Client, key: string, body: string | Uint8Array): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

export function storeFor(
  client: S3Client,
  options: { prefix?: string; bucket?: string; clock?: () => Date; listPageSize?: number } = {},
): ArtifactStore {
  return new ArtifactStore({
    client,
    bucket: options.bucket ?? BUCKET,
    prefix: options.prefix ?? 'forecast/',
    key: testSigningKey(),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.listPageSize === undefined ? {} : { listPageSize: options.listPageSize }),
  });
}

/** The version published at hour `hour` of 2026-11-26, with a fixed suffix so tests can name it. */
export function versionAt(hour: number, suffix = 'a1b2'): string {
  return newVersion(new Date(Date.UTC(2026, 10, 26, hour, 41, 0)), suffix);
}

/** Distinct bytes per seed; the model holds every byte value, so text decoding would show. */
export function filesFor(seed: number): ArtifactFiles {
  const model = new Uint8Array(4096 + seed);
  for (let i = 0; i < model.length; i += 1) model[i] = (i * 7 + seed) % 256;
  const text = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
  return {
    'model.onnx': model,
    'scaler.json': text({ feature_range: [-1, 1], seed, min: [0, 1, 1, 1, 100], max: [6, 31, 53, 12, 200] }),
    'metrics.json': text({ test_mae: 700 + seed, naive_mae: 207, note: 'prix € / 価格' }),
  };
}

export const MODEL_SUMMARY = { sequence_length: 120, feature_count: 9, hidden_size: 128 } as const;

export const PAIR = 'BTC/USDT';

/** Publishes the version of hour `hour` with the files of seed `hour`, as a training run would. */
export function publishVersionAt(store: ArtifactStore, hour: number, pair = PAIR): Promise<PublishOutcome> {
  return store.publishVersion({
    pair,
    version: versionAt(hour),
    files: filesFor(hour),
    model: MODEL_SUMMARY,
  });
}

/** store.publish of the same version, answering the version it asked for (not what the store says). */
export async function publishAt(store: ArtifactStore, hour: number, pair = PAIR): Promise<string> {
  const version = versionAt(hour);
  await store.publish({ pair, version, files: filesFor(hour), model: MODEL_SUMMARY });
  return version;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Every request that reached the proxy, in arrival order, failed or not. */
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

function drain(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A loopback HTTP proxy in front of the real server that answers 500 InternalError to the requests
 * `fail` picks and forwards everything else untouched (Host included, so signatures still match).
 * It injects the fault a storage outage causes mid-publish without replacing the S3 client.
 */
export async function startFaultProxy(
  target: string,
  fail: (request: SeenRequest) => boolean,
): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const seen = {
        method: req.method ?? 'GET',
        path: decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/'),
      };
      requests.push(seen);
      const body = await drain(req);
      if (fail(seen)) {
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected</Message></Error>',
        );
        return;
      }
      const upstream = request(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, requests, close: () => closeServer(server) };
}

/** A TCP server that accepts connections and never answers: what a hung storage endpoint looks like. */
export async function startSilentServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

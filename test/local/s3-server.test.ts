import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import type { BuildMiddleware } from '@smithy/types';
import { createS3Client, LOCAL_CREDENTIALS } from '../../adapters/storage/client.js';
import { startS3Server, type S3Server } from '../../local/s3-server.js';
import { presignedPath, signedHeaders } from './s3-signing.js';

const BUCKET = 'local-models';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function clientFor(endpoint: string): S3Client {
  return createS3Client({ endpoint, region: 'us-east-1' }, { env: {}, maxAttempts: 1 });
}

/** An SDK client as createS3Client makes one for a custom endpoint, signing with other keys. */
function clientWithKeys(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * An SDK client whose requests carry `headers` as well, set before signing (so a Host is signed as the
 * one sent): what a page could add, or a request that reached the server under another name.
 */
function clientWithHeaders(endpoint: string, headers: Readonly<Record<string, string>>): S3Client {
  const client = clientFor(endpoint);
  const addHeaders: BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => (args) => {
    Object.assign((args.request as { headers: Record<string, string> }).headers, headers);
    return next(args);
  };
  client.middlewareStack.addRelativeTo(addHeaders, {
    relation: 'after',
    toMiddleware: 'hostHeaderMiddleware',
    name: 'testExtraHeaders',
  });
  return client;
}

interface SdkRefusal {
  readonly status: number | undefined;
  readonly code: string;
  readonly message: string;
}

/** How the SDK reports a refused request: status, S3 error code, message. Fails if it was not refused. */
async function refusedBy(attempt: Promise<unknown>): Promise<SdkRefusal> {
  try {
    await attempt;
  } catch (error) {
    assert.ok(error instanceof Error);
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return { status, code: error.name, message: error.message };
  }
  return assert.fail('the request was not refused');
}

interface RawAnswer {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request to 127.0.0.1:port exactly as given (no client in between), and its answer. */
function send(
  port: number,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers ?? {} },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () =>
          resolve({ status: answer.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
        answer.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** The S3 error code and the guard's rule in an error document. */
function errorOf(body: string): { code: string | undefined; rule: string | undefined } {
  return { code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1], rule: /<Rule>([^<]*)<\/Rule>/.exec(body)?.[1] };
}

async function getBytes(client: S3Client, key: string): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  assert.ok(response.Body);
  return Buffer.from(await response.Body.transformToByteArray());
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('startS3Server', () => {
  let directory: string;
  let server: S3Server;
  let client: S3Client;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 's3-server-'));
    server = await startS3Server({ directory, buckets: [BUCKET] });
    client = clientFor(server.endpoint);
  });

  after(async () => {
    client.destroy();
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('listens on a free loopback port and creates the buckets asked for', async () => {
    assert.ok(server.port > 0);
    assert.equal(server.endpoint, `http://127.0.0.1:${server.port}`);
    const head = await client.send(new HeadBucketCommand({ Bucket: BUCKET }));
    assert.equal(head.$metadata.httpStatusCode, 200);
  });

  it('stores exactly the bytes sent, from a buffer or a stream', async () => {
    // Prepare: every byte value, and bytes that look like aws-chunked framing if they were re-encoded.
    const bytes = Buffer.concat([
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      Buffer.from('\r\n0\r\n'),
    ]);

    // Act
    const put = await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'raw/buffer.bin', Body: bytes }),
    );
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'raw/stream.bin',
        Body: Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]),
        ContentLength: bytes.length,
      }),
    );

    // Assess: through the API, on disk, and by the ETag (the MD5 of the stored object).
    assert.deepEqual(await getBytes(client, 'raw/buffer.bin'), bytes);
    assert.deepEqual(await getBytes(client, 'raw/stream.bin'), bytes);
    assert.deepEqual(await readFile(join(directory, BUCKET, 'raw', 'stream.bin._S3rver_object')), bytes);
    assert.equal(put.ETag, `"${createHash('md5').update(bytes).digest('hex')}"`);
  });

  it('answers the operations the artifact store uses', async () => {
    for (let i = 0; i < 5; i += 1) {
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `ops/v${i}/file.json`, Body: `{"i":${i}}` }),
      );
    }
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ops/latest.json', Body: '{}' }));

    // ListObjectsV2 with a delimiter: one common prefix per folder.
    const folders = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'ops/', Delimiter: '/' }),
    );
    assert.deepEqual(
      folders.CommonPrefixes?.map((p) => p.Prefix),
      ['ops/v0/', 'ops/v1/', 'ops/v2/', 'ops/v3/', 'ops/v4/'],
    );
    assert.deepEqual(
      folders.Contents?.map((c) => c.Key),
      ['ops/latest.json'],
    );

    // ListObjectsV2 pagination through continuation tokens.
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'ops/v', MaxKeys: 2, ContinuationToken: token }),
      );
      seen.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    assert.equal(seen.length, 5);

    // HeadObject, DeleteObject, and the 404s the store maps.
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'ops/v0/file.json' }));
    assert.equal(head.ContentLength, 7);
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'ops/v0/file.json' }));
    await assert.rejects(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'ops/v0/file.json' })),
      (error: unknown) => error instanceof Error && error.name === 'NoSuchKey',
    );
    await assert.rejects(
      client.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' })),
      (error: unknown) => error instanceof Error && error.name === 'NoSuchBucket',
    );
  });

  it('honours conditional writes as S3 does: If-None-Match * and If-Match an ETag', async () => {
    const put = (body: string, condition: { IfMatch?: string; IfNoneMatch?: string }) =>
      client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/latest.json', Body: body, ...condition }),
      );
    const status = async (attempt: Promise<unknown>): Promise<number | undefined> => {
      try {
        await attempt;
        return 200;
      } catch (error) {
        return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      }
    };

    assert.equal(await status(put('a', { IfMatch: '"0123"' })), 404, 'If-Match on a missing key');
    const first = await put('a', { IfNoneMatch: '*' });
    assert.equal(await status(put('b', { IfNoneMatch: '*' })), 412, 'the key exists');
    assert.equal(await status(put('b', { IfMatch: '"0123"' })), 412, 'another ETag');
    assert.equal(await status(put('b', { IfMatch: first.ETag ?? '' })), 200);
    assert.deepEqual(await getBytes(client, 'cond/latest.json'), Buffer.from('b'));

    // Ten writers that read the same ETag: exactly one wins, as on S3.
    const current = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cond/latest.json' }));
    const racers = await Promise.all(
      Array.from({ length: 10 }, (_, k) => status(put(`racer ${k}`, { IfMatch: current.ETag ?? '' }))),
    );
    assert.deepEqual(
      racers.filter((code) => code === 200),
      [200],
    );
    assert.ok(
      racers.every((code) => code === 200 || code === 412),
      racers.join(','),
    );
  });

  it('replaces an object atomically: readers during rewrites see a whole old or new body', async () => {
    const bodies = Array.from({ length: 20 }, (_, k) => Buffer.alloc(64 * 1024, 65 + k));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'atomic/obj', Body: bodies[0] }));
    let writing = true;
    const writer = (async () => {
      for (const body of bodies) {
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'atomic/obj', Body: body }));
      }
      writing = false;
    })();
    const reads: Buffer[] = [];
    while (writing) reads.push(await getBytes(client, 'atomic/obj'));
    await writer;

    assert.ok(reads.length > 0);
    for (const read of reads) {
      assert.ok(
        bodies.some((body) => body.equals(read)),
        `a read of ${read.length} bytes matched no body`,
      );
    }
  });

  it('answers the SDK with path-style addressing: CreateBucket, metadata, keys with reserved characters', async () => {
    // Prepare: a key and metadata that test the signature's encoding and header folding.
    const key = 'odd/a b+c(1)!*~é.json';
    await client.send(new CreateBucketCommand({ Bucket: 'second-bucket' }));

    // Act
    await client.send(
      new PutObjectCommand({
        Bucket: 'second-bucket',
        Key: key,
        Body: '{}',
        Metadata: { note: 'two  spaces' },
        IfNoneMatch: '*',
      }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: 'second-bucket', Key: key }));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'second-bucket', Prefix: 'odd/' }));
    await client.send(new DeleteObjectCommand({ Bucket: 'second-bucket', Key: key }));
    // DeleteObjects is the one POST to a bucket the guard lets through (the store does not use it).
    await client.send(new PutObjectCommand({ Bucket: 'second-bucket', Key: 'odd/other.json', Body: '{}' }));
    const deleted = await client.send(
      new DeleteObjectsCommand({ Bucket: 'second-bucket', Delete: { Objects: [{ Key: 'odd/other.json' }] } }),
    );

    // Assess
    assert.deepEqual(
      deleted.Deleted?.map((d) => d.Key),
      ['odd/other.json'],
    );
    assert.equal(head.Metadata?.['note'], 'two  spaces');
    assert.deepEqual(
      listed.Contents?.map((c) => c.Key),
      [key],
    );
    const bucket = await client.send(new HeadBucketCommand({ Bucket: 'second-bucket' }));
    assert.equal(bucket.$metadata.httpStatusCode, 200);
  });

  it('refuses a cross-origin multipart form POST, and writes nothing', async () => {
    // Prepare: the form a page on another site makes a browser send (s3rver's browser-upload route).
    const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
    const field = (name: string, value: string, file = ''): string =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n${value}\r\n`;
    const body =
      field('key', 'models/planted.txt') +
      field('file', 'planted', '; filename="planted.txt"\r\nContent-Type: text/plain') +
      `--${boundary}--\r\n`;
    const form = {
      method: 'POST',
      path: `/${BUCKET}`,
      body,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        origin: 'http://evil.example',
        referer: 'http://evil.example/',
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': 'document',
      },
    };

    // Act: the browser's form; the same form with none of a browser's headers (as curl sends it).
    const fromPage = await send(server.port, form);
    const fromCurl = await send(server.port, {
      ...form,
      headers: { 'content-type': form.headers['content-type'] },
    });

    // Assess: both refused, each naming its rule, and nothing written.
    assert.equal(fromPage.status, 403);
    assert.deepEqual(errorOf(fromPage.body), { code: 'AccessDenied', rule: 'no-web-pages' });
    assert.match(fromPage.body, /never answers a browser/);
    assert.equal(fromCurl.status, 403);
    assert.deepEqual(errorOf(fromCurl.body), { code: 'AccessDenied', rule: 'no-form-uploads' });
    const planted = await refusedBy(
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'models/planted.txt' })),
    );
    assert.equal(planted.status, 404);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'models/' }));
    assert.equal(listed.KeyCount, 0);
  });

  it('refuses an unsigned PUT and an unsigned GET', async () => {
    // Prepare
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'unsigned/kept.txt', Body: 'secret body' }),
    );

    // Act
    const put = await send(server.port, {
      method: 'PUT',
      path: `/${BUCKET}/unsigned/planted.txt`,
      headers: { 'content-type': 'text/plain' },
      body: 'planted',
    });
    const get = await send(server.port, { method: 'GET', path: `/${BUCKET}/unsigned/kept.txt` });

    // Assess
    for (const answer of [put, get]) {
      assert.equal(answer.status, 403);
      assert.deepEqual(errorOf(answer.body), { code: 'AccessDenied', rule: 'signed-requests-only' });
      assert.match(answer.body, /no credentials/);
    }
    assert.doesNotMatch(get.body, /secret body/);
    const planted = await refusedBy(
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'unsigned/planted.txt' })),
    );
    assert.equal(planted.status, 404);
  });

  it('refuses requests signed with a wrong secret or another access key, and writes nothing', async () => {
    const wrongSecret = clientWithKeys(server.endpoint, {
      ...LOCAL_CREDENTIALS,
      secretAccessKey: 'not-the-secret',
    });
    const otherKey = clientWithKeys(server.endpoint, { accessKeyId: 'OTHER', secretAccessKey: 'S3RVER' });
    try {
      const put = await refusedBy(
        wrongSecret.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wrong/planted.txt', Body: 'planted' })),
      );
      const get = await refusedBy(
        wrongSecret.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'raw/buffer.bin' })),
      );
      const other = await refusedBy(
        otherKey.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wrong/planted.txt', Body: 'planted' })),
      );

      assert.deepEqual([put.status, put.code], [403, 'SignatureDoesNotMatch']);
      assert.deepEqual([get.status, get.code], [403, 'SignatureDoesNotMatch']);
      assert.match(put.message, /signed-requests-only/);
      assert.deepEqual([other.status, other.code], [403, 'InvalidAccessKeyId']);
      const planted = await refusedBy(
        client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'wrong/planted.txt' })),
      );
      assert.equal(planted.status, 404);
    } finally {
      wrongSecret.destroy();
      otherKey.destroy();
    }
  });

  it('refuses signed requests that carry Origin or Sec-Fetch-Site: cross-site, or name a foreign Host', async () => {
    const cases: { headers: Record<string, string>; rule: string }[] = [
      { headers: { origin: 'http://evil.example' }, rule: 'no-web-pages' },
      { headers: { 'sec-fetch-site': 'cross-site' }, rule: 'no-web-pages' },
      { headers: { host: `evil.example:${server.port}` }, rule: 'own-host-only' },
    ];
    for (const { headers, rule } of cases) {
      const page = clientWithHeaders(server.endpoint, headers);
      try {
        const put = await refusedBy(
          page.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'page/planted.txt', Body: 'planted' })),
        );
        const get = await refusedBy(
          page.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'raw/buffer.bin' })),
        );
        for (const refusal of [put, get]) {
          assert.deepEqual([refusal.status, refusal.code], [403, 'AccessDenied'], JSON.stringify(headers));
          assert.match(refusal.message, new RegExp(`rule ${rule}:`));
        }
      } finally {
        page.destroy();
      }
    }
    const planted = await refusedBy(
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'page/planted.txt' })),
    );
    assert.equal(planted.status, 404);
  });

  it('accepts a signed request sent to localhost, and a presigned URL until it expires', async () => {
    // Prepare
    const local = clientWithHeaders(server.endpoint, { host: `localhost:${server.port}` });
    const url = `${server.endpoint}/${BUCKET}/raw/buffer.bin`;
    const fresh = await presignedPath({ method: 'GET', url, expiresIn: 3600 });
    const stale = await presignedPath({
      method: 'GET',
      url,
      expiresIn: 60,
      signingDate: new Date(Date.now() - 2 * 3600_000),
    });

    // Act
    const viaLocalhost = await local.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'raw/buffer.bin' }));
    local.destroy();
    const valid = await send(server.port, { method: 'GET', path: fresh });
    const expired = await send(server.port, { method: 'GET', path: stale });

    // Assess
    assert.equal(viaLocalhost.$metadata.httpStatusCode, 200);
    assert.equal(valid.status, 200);
    assert.equal(expired.status, 403);
    assert.deepEqual(errorOf(expired.body), { code: 'AccessDenied', rule: 'signed-requests-only' });
    assert.match(expired.body, /expired/);
  });

  it('refuses a signed form upload: no POST to a bucket but DeleteObjects', async () => {
    const path = `/${BUCKET}`;
    const headers = await signedHeaders({
      method: 'POST',
      url: `${server.endpoint}${path}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'key=models/planted.txt',
    });
    const answer = await send(server.port, { method: 'POST', path, headers, body: 'key=models/planted.txt' });
    assert.equal(answer.status, 403);
    assert.deepEqual(errorOf(answer.body), { code: 'AccessDenied', rule: 'no-form-uploads' });
  });

  it('keeps objects across a restart on the same directory, and frees its port on close', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 's3-server-restart-'));
    const first = await startS3Server({ directory: dir, buckets: [BUCKET] });
    const firstClient = clientFor(first.endpoint);
    await firstClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept.txt', Body: 'still here' }));
    firstClient.destroy();

    // Act
    await first.close();
    await first.close(); // a second close is harmless
    const portFreed = await refused(first.port);
    const second = await startS3Server({ directory: dir, buckets: [BUCKET] });
    const secondClient = clientFor(second.endpoint);

    // Assess
    try {
      assert.ok(portFreed);
      assert.equal((await getBytes(secondClient, 'kept.txt')).toString(), 'still here');
    } finally {
      secondClient.destroy();
      await second.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('accepts only the access key it is started with', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 's3-server-keys-'));
    const keys = { accessKeyId: 'DEVKEY', secretAccessKey: 'dev-secret' };
    const other = await startS3Server({ directory: dir, buckets: [BUCKET], credentials: keys });
    const ownClient = clientWithKeys(other.endpoint, keys);
    const localClient = clientFor(other.endpoint);

    try {
      // Act
      await ownClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'keys.txt', Body: 'ok' }));
      const local = await refusedBy(
        localClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'keys.txt' })),
      );

      // Assess
      assert.equal((await getBytes(ownClient, 'keys.txt')).toString(), 'ok');
      assert.deepEqual([local.status, local.code], [403, 'InvalidAccessKeyId']);
      assert.match(local.message, /"S3RVER".*"DEVKEY"/);
    } finally {
      ownClient.destroy();
      localClient.destroy();
      await other.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails to start with a clear error when the port is taken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 's3-server-busy-'));
    try {
      await assert.rejects(
        startS3Server({ directory: dir, port: server.port }),
        /did not start: .*EADDRINUSE/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('s3-server-cli', () => {
  it('serves until SIGINT, then exits 0', { timeout: 20_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 's3-server-cli-'));
    const keys = { accessKeyId: 'CLIKEY', secretAccessKey: 'cli-secret' };
    const child = spawn(
      process.execPath,
      [
        ...['--import', 'tsx', 'local/s3-server-cli.ts', '--port', '0', '--dir', dir, '--bucket', BUCKET],
        ...['--access-key-id', keys.accessKeyId, '--secret-access-key', keys.secretAccessKey],
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
      });
      const client = clientWithKeys(endpoint, keys);
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cli.txt', Body: 'ok' }));
      assert.equal((await getBytes(client, 'cli.txt')).toString(), 'ok');
      client.destroy();
      const local = clientFor(endpoint);
      const refused = await refusedBy(local.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cli.txt' })));
      local.destroy();
      assert.equal(refused.code, 'InvalidAccessKeyId', 'the keys given replace the local ones');

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

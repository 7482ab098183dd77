import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client } from '../../adapters/storage/client.js';
import { startS3Server, type S3Server } from '../../local/s3-server.js';

const BUCKET = 'local-models';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function clientFor(endpoint: string): S3Client {
  return createS3Client({ endpoint, region: 'us-east-1' }, { env: {}, maxAttempts: 1 });
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
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/s3-server-cli.ts', '--port', '0', '--dir', dir, '--bucket', BUCKET],
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
      const client = clientFor(endpoint);
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cli.txt', Body: 'ok' }));
      assert.equal((await getBytes(client, 'cli.txt')).toString(), 'ok');
      client.destroy();

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { runInThisContext } from 'node:vm';
import { LOCAL_CREDENTIALS } from '../../adapters/storage/client.js';
import { ownHostnames } from '../../local/s3/hostnames.js';
import { REQUEST_GUARD_SCRIPT } from '../../local/s3/request-guard-script.js';
import { presignedPath, signedHeaders } from './s3-signing.js';

/**
 * The local S3 server's request guard as a function, in-process, with the clock given: the decisions
 * and the signature arithmetic. test/local/s3-server.test.ts checks the same guard through a real server.
 */

interface Refusal {
  readonly rule: string;
  readonly status: number;
  readonly code: string;
  readonly message: string;
}
interface GuardRequest {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: readonly string[];
}
interface Policy {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly hostnames: readonly string[];
}
interface Guard {
  refusalOf(request: GuardRequest, policy: Policy, nowMs: number): Refusal | null;
}

const guard = (runInThisContext(REQUEST_GUARD_SCRIPT) as (crypto: unknown) => Guard)(crypto);
const ORIGIN = 'http://127.0.0.1:9000';
const POLICY: Policy = { ...LOCAL_CREDENTIALS, hostnames: ownHostnames('127.0.0.1') };
const NOW = Date.parse('2026-03-01T12:00:00Z');

function raw(headers: Readonly<Record<string, string>>): string[] {
  return Object.entries(headers).flat();
}

/** A request to the guard, signed by the SDK's signer at `NOW` unless told otherwise. */
async function signed(
  method: string,
  target: string,
  options: { headers?: Record<string, string>; secretAccessKey?: string; signingDate?: Date } = {},
): Promise<GuardRequest> {
  const headers = await signedHeaders({
    method,
    url: ORIGIN + target,
    headers: options.headers ?? {},
    signingDate: options.signingDate ?? new Date(NOW),
    ...(options.secretAccessKey === undefined ? {} : { secretAccessKey: options.secretAccessKey }),
  });
  return { method, url: target, rawHeaders: raw(headers) };
}

describe('ownHostnames', () => {
  it('answers to every loopback name when it listens on loopback', () => {
    assert.deepEqual(ownHostnames('127.0.0.1'), ['127.0.0.1', 'localhost', '::1']);
    assert.deepEqual(ownHostnames('localhost'), ['localhost', '127.0.0.1', '::1']);
    assert.deepEqual(ownHostnames('::1'), ['::1', '127.0.0.1', 'localhost']);
  });

  it('answers to the machine addresses when it listens on every interface, and to its own name otherwise', () => {
    assert.deepEqual(ownHostnames('0.0.0.0', ['127.0.0.1', '192.168.1.5', 'FE80::1']), [
      '127.0.0.1',
      'localhost',
      '::1',
      '192.168.1.5',
      'fe80::1',
    ]);
    assert.deepEqual(ownHostnames('192.168.1.5'), ['192.168.1.5']);
  });
});

describe('the request guard', () => {
  it('lets through what the SDK signs: odd keys, folded header values, repeated and reserved query characters', async () => {
    const requests = [
      await signed(
        'GET',
        '/local-models/?list-type=2&prefix=models%2F&delimiter=%2F&continuation-token=a%2Bb%2F%3D',
      ),
      await signed('PUT', '/local-models/odd/a%20b%2Bc%281%29%21%C3%A9~.json?x-id=PutObject', {
        headers: { 'x-amz-meta-note': '  two  spaces\tand a tab ', 'if-none-match': '*' },
      }),
      await signed('GET', '/local-models/k?x=2&x=1&empty=&flag&star=%2A'),
      await signed('POST', '/local-models/?delete=&x-id=DeleteObjects'),
    ];
    for (const request of requests) assert.equal(guard.refusalOf(request, POLICY, NOW), null, request.url);
  });

  it('refuses a wrong secret, a changed request and an unknown access key', async () => {
    const wrong = await signed('GET', '/local-models/a', { secretAccessKey: 'not-the-secret' });
    assert.equal(guard.refusalOf(wrong, POLICY, NOW)?.code, 'SignatureDoesNotMatch');

    const good = await signed('GET', '/local-models/a');
    const moved = { ...good, url: '/local-models/b' };
    assert.equal(guard.refusalOf(moved, POLICY, NOW)?.code, 'SignatureDoesNotMatch');

    const other = { ...POLICY, accessKeyId: 'OTHER' };
    assert.equal(guard.refusalOf(good, other, NOW)?.code, 'InvalidAccessKeyId');
  });

  it('refuses a request signed more than 15 minutes from its clock', async () => {
    const request = await signed('GET', '/local-models/a');
    assert.equal(guard.refusalOf(request, POLICY, NOW + 14 * 60_000), null);
    const late = guard.refusalOf(request, POLICY, NOW + 16 * 60_000);
    assert.equal(late?.code, 'RequestTimeTooSkewed');
    assert.equal(late?.status, 403);
  });

  it('accepts a presigned URL until it expires', async () => {
    const path = await presignedPath({
      method: 'GET',
      url: `${ORIGIN}/local-models/a%20b.json`,
      expiresIn: 60,
      signingDate: new Date(NOW),
    });
    const request = { method: 'GET', url: path, rawHeaders: raw({ host: '127.0.0.1:9000' }) };
    assert.equal(guard.refusalOf(request, POLICY, NOW + 59_000), null);
    const expired = guard.refusalOf(request, POLICY, NOW + 61_000);
    assert.equal(expired?.code, 'AccessDenied');
    assert.match(expired?.message ?? '', /expired/);
    const tampered = { ...request, url: path.replace('a%20b.json', 'c.json') };
    assert.equal(guard.refusalOf(tampered, POLICY, NOW)?.code, 'SignatureDoesNotMatch');
  });

  it('refuses Signature V2 and anonymous requests', () => {
    const v2 = {
      method: 'GET',
      url: '/local-models/a',
      rawHeaders: raw({ host: '127.0.0.1:9000', authorization: 'AWS S3RVER:abc=' }),
    };
    assert.equal(guard.refusalOf(v2, POLICY, NOW)?.code, 'InvalidRequest');
    const anonymous = { method: 'GET', url: '/local-models/a', rawHeaders: raw({ host: '127.0.0.1:9000' }) };
    assert.deepEqual(
      (({ rule, status, code }: Refusal) => ({ rule, status, code }))(
        guard.refusalOf(anonymous, POLICY, NOW) as Refusal,
      ),
      { rule: 'signed-requests-only', status: 403, code: 'AccessDenied' },
    );
  });

  it('refuses signed requests from web pages, to other host names, and form uploads, naming the rule', async () => {
    const cases: [GuardRequest, string][] = [
      [
        await signed('GET', '/local-models/a', { headers: { origin: 'http://evil.example' } }),
        'no-web-pages',
      ],
      [await signed('GET', '/local-models/a', { headers: { origin: 'null' } }), 'no-web-pages'],
      [
        await signed('GET', '/local-models/a', { headers: { 'sec-fetch-site': 'same-site' } }),
        'no-web-pages',
      ],
      [await signed('GET', '/local-models/a', { headers: { host: 'evil.example:9000' } }), 'own-host-only'],
      [
        await signed('GET', '/local-models/a', { headers: { host: 'localhost.evil.example' } }),
        'own-host-only',
      ],
      [await signed('GET', '/local-models/a', { headers: { host: 'evil@127.0.0.1:9000' } }), 'own-host-only'],
      [await signed('POST', '/local-models', {}), 'no-form-uploads'],
      [
        await signed('PUT', '/local-models/a', {
          headers: { 'content-type': 'multipart/form-data; boundary=x' },
        }),
        'no-form-uploads',
      ],
    ];
    for (const [request, rule] of cases) {
      const refusal = guard.refusalOf(request, POLICY, NOW);
      assert.equal(refusal?.rule, rule, JSON.stringify(request));
      assert.equal(refusal?.status, 403);
      assert.equal(refusal?.code, 'AccessDenied');
    }
    // A user typing a presigned URL in the address bar sends Sec-Fetch-Site: none, which is not a page.
    const typed = await signed('GET', '/local-models/a', { headers: { 'sec-fetch-site': 'none' } });
    assert.equal(guard.refusalOf(typed, POLICY, NOW), null);
    const other = await signed('GET', '/local-models/a', { headers: { host: 'localhost:19000' } });
    assert.equal(guard.refusalOf(other, POLICY, NOW), null, 'another port (a relay) is not refused');
  });
});

import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_CREDENTIALS } from '../../adapters/storage/client.js';

/**
 * Signature V4 for hand-made requests, by the AWS SDK's own signer (@smithy/signature-v4, what
 * @aws-sdk/client-s3 signs with): the guard is checked against the SDK's signatures, not against a
 * second copy of its own reading of the algorithm.
 */

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The hash constructor the signer wants: SHA-256, or HMAC-SHA256 when given a key. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

export interface SigningOptions {
  readonly method: string;
  /** The full URL the request goes to; its host is what the Host header says unless `headers` has one. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly signingDate?: Date;
}

function requestOf(options: SigningOptions) {
  const url = new URL(options.url);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return {
    method: options.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: { host: url.host, ...options.headers },
    body: options.body,
  };
}

function signerFor(options: SigningOptions): SignatureV4 {
  return new SignatureV4({
    credentials: {
      accessKeyId: options.accessKeyId ?? LOCAL_CREDENTIALS.accessKeyId,
      secretAccessKey: options.secretAccessKey ?? LOCAL_CREDENTIALS.secretAccessKey,
    },
    region: 'us-east-1',
    service: 's3',
    sha256: NodeSha256,
    uriEscapePath: false, // S3 signs the path as sent, as the S3 client does
  });
}

/** The headers of the signed request: the ones given, plus host, x-amz-date, x-amz-content-sha256, authorization. */
export async function signedHeaders(options: SigningOptions): Promise<Record<string, string>> {
  const signed = await signerFor(options).sign(requestOf(options), {
    signingDate: options.signingDate ?? new Date(),
  });
  return Object.fromEntries(
    Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

/** A presigned URL (path and query) for `options.url`, valid `expiresIn` seconds from the signing date. */
export async function presignedPath(
  options: SigningOptions & { readonly expiresIn: number },
): Promise<string> {
  const request = requestOf({
    ...options,
    headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...options.headers },
  });
  const signed = await signerFor(options).presign(request, {
    expiresIn: options.expiresIn,
    signingDate: options.signingDate ?? new Date(),
  });
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(signed.query ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) if (one !== null) query.append(name, one);
  }
  // URLSearchParams writes a space as +; S3 (and the signer) read + as a plus sign.
  return `${signed.path}?${query.toString().replace(/\+/g, '%20')}`;
}

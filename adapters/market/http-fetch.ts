import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

/**
 * The fetch that ccxt's REST calls go through (ccxt takes a user-supplied `fetchImplementation`), on
 * node:http(s) and their keep-alive global agents instead of Node's global fetch.
 *
 * Why not the global fetch: it is undici, which Node loads on its first call. Measured on this project's
 * machine with Node 22 against a loopback server: the first fetch took 72 ms against 11 ms for node:http,
 * and each later one 8-10 ms against 2-3 ms. A cold Lambda instance makes two exchange requests before its
 * first prediction (markets, candles), and the AWS SDK has node:http loaded already.
 *
 * The contract is the part of fetch that ccxt reads, nothing more: status, statusText, headers as a plain
 * object (ccxt's undici.request path takes that shape too), text() and arrayBuffer(). Like fetch, it does
 * not follow redirects, decompresses gzip, deflate and br, rejects with the signal's reason when aborted,
 * and turns a transport failure into `TypeError('fetch failed', { cause })`, which ccxt maps to its
 * NetworkError with the cause's message.
 */
export interface HttpFetchInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
  /** ccxt passes its `agent` (a proxy's) to a user-supplied fetch; used when it is a node:http Agent. */
  readonly agent?: unknown;
}

export interface HttpFetchResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: Readonly<IncomingHttpHeaders>;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const DECODERS: Readonly<Record<string, (body: Buffer) => Promise<Buffer>>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

const ACCEPT_ENCODING = 'gzip, deflate, br';

export function httpFetch(url: string, init: HttpFetchInit = {}): Promise<HttpFetchResponse> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : null;
  if (send === null)
    return Promise.reject(new TypeError(`fetch failed: unsupported protocol ${target.protocol}`));
  const signal = init.signal;
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));

  const headers: Record<string, string> = { ...init.headers };
  if (!hasHeader(headers, 'accept-encoding')) headers['accept-encoding'] = ACCEPT_ENCODING;
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  if (body !== undefined && !hasHeader(headers, 'content-length')) {
    headers['content-length'] = String(body.byteLength);
  }

  return new Promise<HttpFetchResponse>((resolve, reject) => {
    const onAbort = (): void => {
      request.destroy();
      reject(abortReason(signal));
    };
    const request = send(target, {
      method: init.method ?? 'GET',
      headers,
      ...(isAgent(init.agent) ? { agent: init.agent } : {}),
    });
    const settle = (): void => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => {
      settle();
      // Abort destroys the request, which also reports an error: the abort's reason was given already.
      if (signal?.aborted !== true) reject(new TypeError('fetch failed', { cause: error }));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        settle();
        if (signal?.aborted !== true) reject(new TypeError('fetch failed', { cause: error }));
      });
      response.on('end', () => {
        settle();
        const encoding = String(response.headers['content-encoding'] ?? '')
          .trim()
          .toLowerCase();
        const decode = DECODERS[encoding];
        const raw = Buffer.concat(chunks);
        const decoded = decode === undefined ? Promise.resolve(raw) : decode(raw);
        decoded.then(
          (bytes) =>
            resolve(
              toResponse(response.statusCode ?? 0, response.statusMessage ?? '', response.headers, bytes),
            ),
          (error: unknown) =>
            reject(new TypeError('fetch failed: the response body could not be decoded', { cause: error })),
        );
      });
    });
    request.end(body);
  });
}

function toResponse(
  status: number,
  statusText: string,
  headers: IncomingHttpHeaders,
  bytes: Buffer,
): HttpFetchResponse {
  return {
    status,
    statusText,
    ok: status >= 200 && status < 300,
    headers,
    text: () => Promise.resolve(bytes.toString('utf8')),
    arrayBuffer: () =>
      Promise.resolve(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      ),
  };
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function isAgent(value: unknown): value is Agent {
  // https.Agent extends http.Agent.
  return value instanceof Agent;
}

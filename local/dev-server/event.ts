import { createHash, randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { AcceptedKey } from './api-keys.js';

/** One HTTP request as the adapter received it, before it becomes an API Gateway event. */
export interface LocalRequest {
  readonly method: string;
  /** The request target as sent: path and query string (Node's `request.url`). */
  readonly url: string;
  /** Node's `request.rawHeaders`: name, value, name, value, ... with the client's spelling. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  /** `request.httpVersion`, such as 1.1. */
  readonly httpVersion: string;
  /** The port the adapter listens on, for X-Forwarded-Port. */
  readonly localPort: number;
}

export interface EventOptions {
  /** The route's path in ROUTES: API Gateway's `resource` and `resourcePath`. */
  readonly resource: string;
  readonly stage: string;
  readonly requestId: string;
  /** The key API Gateway accepted, on routes that need one; null elsewhere. */
  readonly apiKey: AcceptedKey | null;
  /** Request time in ms; Date.now() by default. */
  readonly now?: number;
}

/** The path and query string of a request target, decoded as API Gateway decodes them. */
export interface RequestTarget {
  readonly path: string;
  /** Every value of every parameter, in order. */
  readonly query: ReadonlyMap<string, readonly string[]>;
}

/**
 * Percent-decoding without URLSearchParams' form rules: API Gateway REST APIs leave `+` as it is,
 * and a malformed escape is passed on as written rather than refused.
 */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseTarget(url: string): RequestTarget {
  const hash = url.indexOf('#');
  const target = hash === -1 ? url : url.slice(0, hash);
  const mark = target.indexOf('?');
  const rawPath = mark === -1 ? target : target.slice(0, mark);
  const search = mark === -1 ? '' : target.slice(mark + 1);
  const query = new Map<string, string[]>();
  for (const part of search.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decode(equals === -1 ? part : part.slice(0, equals));
    const value = equals === -1 ? '' : decode(part.slice(equals + 1));
    const values = query.get(name);
    if (values === undefined) query.set(name, [value]);
    else values.push(value);
  }
  return { path: decode(rawPath) || '/', query };
}

/** Header name (first spelling seen) to every value, in order; names compared without case. */
function collectHeaders(rawHeaders: readonly string[]): Map<string, string[]> {
  const byLowerName = new Map<string, { name: string; values: string[] }>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const entry = byLowerName.get(name.toLowerCase());
    if (entry === undefined) byLowerName.set(name.toLowerCase(), { name, values: [value] });
    else entry.values.push(value);
  }
  return new Map([...byLowerName.values()].map(({ name, values }) => [name, values]));
}

/** The first value of a header, whatever the spelling of its name. */
export function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === wanted) return rawHeaders[i + 1];
  }
  return undefined;
}

function setHeader(headers: Map<string, string[]>, name: string, values: string[]): void {
  for (const existing of headers.keys()) {
    if (existing.toLowerCase() === name.toLowerCase()) headers.delete(existing);
  }
  headers.set(name, values);
}

/** dd/MMM/yyyy:HH:mm:ss +0000, as in requestContext.requestTime. */
function requestTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body as a REST proxy integration delivers it: UTF-8 text as is; anything else base64 with
 * isBase64Encoded (what API Gateway does for the binary media types of an API).
 */
function eventBody(body: Buffer): { body: string | null; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  try {
    return { body: utf8.decode(body), isBase64Encoded: false };
  } catch {
    return { body: body.toString('base64'), isBase64Encoded: true };
  }
}

/**
 * The REST (v1) proxy event API Gateway would send the route's function for this request: headers with
 * the client's spelling (last value in `headers`, all in `multiValueHeaders`) plus the X-Forwarded-*
 * and trace headers API Gateway adds; query parameters decoded (null when there are none, last value
 * in `queryStringParameters`); no path parameters or stage variables (the routes have none); the
 * request context of the stage, with the accepted API key and its id.
 */
export function buildProxyEvent(request: LocalRequest, options: EventOptions): APIGatewayProxyEvent {
  const now = options.now ?? Date.now();
  const { path, query } = parseTarget(request.url);
  const method = request.method.toUpperCase();

  const headers = collectHeaders(request.rawHeaders);
  const forwardedFor = headerValue(request.rawHeaders, 'x-forwarded-for');
  setHeader(headers, 'X-Forwarded-For', [
    forwardedFor === undefined ? request.sourceIp : `${forwardedFor}, ${request.sourceIp}`,
  ]);
  setHeader(headers, 'X-Forwarded-Port', [String(request.localPort)]);
  setHeader(headers, 'X-Forwarded-Proto', ['http']);
  const trace = `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  setHeader(headers, 'X-Amzn-Trace-Id', [trace]);

  const singleHeaders = Object.fromEntries([...headers].map(([name, values]) => [name, values.at(-1)]));
  const multiHeaders = Object.fromEntries([...headers].map(([name, values]) => [name, [...values]]));
  const host = headerValue(request.rawHeaders, 'host') ?? `127.0.0.1:${request.localPort}`;
  const domainName = host.replace(/:\d+$/, '');
  const userAgent = headerValue(request.rawHeaders, 'user-agent') ?? null;

  return {
    resource: options.resource,
    path,
    httpMethod: method,
    headers: singleHeaders,
    multiValueHeaders: multiHeaders,
    queryStringParameters:
      query.size === 0 ? null : Object.fromEntries([...query].map(([name, values]) => [name, values.at(-1)])),
    multiValueQueryStringParameters:
      query.size === 0 ? null : Object.fromEntries([...query].map(([name, values]) => [name, [...values]])),
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      resourceId: createHash('sha256').update(options.resource).digest('hex').slice(0, 6),
      resourcePath: options.resource,
      httpMethod: method,
      extendedRequestId: randomBytes(10).toString('base64url'),
      requestTime: requestTime(now),
      requestTimeEpoch: now,
      path: `/${options.stage}${path}`,
      protocol: `HTTP/${request.httpVersion}`,
      stage: options.stage,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      requestId: options.requestId,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: options.apiKey?.key ?? null,
        apiKeyId: options.apiKey?.id ?? null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
    },
    ...eventBody(request.body),
  };
}

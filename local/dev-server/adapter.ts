/**
 * The local HTTP adapter: the Lambda handlers of ROUTES behind a node:http server on loopback, called
 * with the REST proxy events API Gateway would send them, and API Gateway's own answers where the
 * deployed API gives them (gateway-responses.ts):
 *
 * - a path not in ROUTES: 404 `not_found` (its MISSING_AUTHENTICATION_TOKEN response answers 404 in infra/),
 * - a method the route does not list: the handler, which answers 405 with Allow (infra/ routes ANY to it),
 * - OPTIONS on a route: the CORS preflight API Gateway answers itself (for `corsOrigins`),
 * - a `key` route without an accepted `x-api-key`: 403 `forbidden`, before the handler runs; an
 *   `operator` route takes only the operator keys (deployed, it takes IAM-signed requests instead),
 * - a body over 10 MB: 413; a handler that throws or returns no proxy result: 502 `internal_error`,
 * - every answer with the CORS headers of `corsOrigins`, as the handlers and infra's gateway responses.
 *
 * Besides, and unlike API Gateway, it answers only requests whose Host is the address it listens on
 * (421 otherwise): the dashboard page carries the API key, and a web page elsewhere could otherwise
 * reach it through a DNS name rebound to 127.0.0.1.
 *
 * Unlike Lambda, one process runs every route and requests run concurrently in it; the caller builds the
 * handlers (createHandlers, one runtime shared by all). There is no usage plan: no quota, no throttling.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { HandlerTable } from '../../functions/handlers/index.js';
import { createLambdaContext } from '../../functions/lambda-context.js';
import { ROUTES, type Route } from '../../functions/routes.js';
import { CORS_ALLOW_HEADERS, corsHeaders } from '../../functions/cors.js';
import {
  GATEWAY_RESPONSES,
  LOCAL_INTERNAL_STATUS,
  MAX_BODY_BYTES,
  REQUEST_TOO_LARGE,
  type GatewayResponse,
} from '../../functions/gateway-responses.js';
import { ApiKeyChecker, type AcceptedKey } from './api-keys.js';
import { SECURITY_HEADERS } from '../../functions/security-headers.js';
import { buildProxyEvent, headerValue, parseTarget } from './event.js';

/** The adapter's own refusal of a request for another host name (DNS rebinding); not API Gateway's. */
const MISDIRECTED = {
  type: 'MISDIRECTED_REQUEST',
  status: 421,
  code: 'misdirected_request',
  message: 'this server answers only requests for the address it listens on',
  errorType: 'MisdirectedRequestException',
} as const satisfies GatewayResponse;

/** The adapter's answer to an operator route without the operator key (deployed: no IAM signature). */
const OPERATOR_ONLY = {
  type: 'OPERATOR_ONLY',
  status: 403,
  code: 'forbidden',
  message: 'this route is for operators: send the operator key of the local stack in x-api-key',
  errorType: 'ForbiddenException',
} as const satisfies GatewayResponse;

/** Pages the adapter serves besides the API (the dashboard); true when it answered the request. */
export type PageHandler = (
  request: { readonly method: string; readonly path: string },
  response: ServerResponse,
) => Promise<boolean>;

/** One line of the adapter's access log. */
export interface AccessRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  /** Who answered: a route's handler, the gateway itself (404, 403, ...), or a page. */
  readonly by: 'handler' | 'gateway' | 'page';
  readonly route: string | null;
}

export interface LocalApiOptions {
  /** Keys accepted in x-api-key on `key` routes (see resolveApiKeys). */
  readonly apiKeys: readonly string[];
  /** Keys accepted on `operator` routes, and only there; none by default (operator routes answer 403). */
  readonly operatorKeys?: readonly string[];
  /** Origins allowed by CORS (serving.cors_origins); `*` for any; none by default. */
  readonly corsOrigins?: readonly string[];
  /** Default 3000; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1: the adapter has no TLS and prints its key, so it stays on loopback. */
  readonly host?: string;
  /** requestContext.stage; default `local`. */
  readonly stage?: string;
  /** Default ROUTES. */
  readonly routes?: readonly Route[];
  /** Each route's handler (createHandlers(runtime) in functions/handlers/). */
  readonly handlers: HandlerTable;
  readonly pages?: PageHandler;
  readonly onRequest?: (record: AccessRecord) => void;
  /** Where a handler's crash is reported (Lambda would log it); default stderr. */
  readonly onError?: (error: unknown, route: Route) => void;
}

export interface LocalApi {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting connections; requests in flight get up to 2 s to finish. */
  close(): Promise<void>;
}

class BodyTooLargeError extends Error {}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.removeAllListeners('data');
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const result = value as Partial<APIGatewayProxyResult>;
  return (
    typeof result.statusCode === 'number' &&
    Number.isInteger(result.statusCode) &&
    result.statusCode >= 100 &&
    result.statusCode <= 599 &&
    (result.body === undefined || typeof result.body === 'string')
  );
}

function sendGatewayError(
  response: ServerResponse,
  error: GatewayResponse,
  requestId: string,
  cors: Readonly<Record<string, string>>,
): number {
  const status = error.status ?? LOCAL_INTERNAL_STATUS;
  const body = JSON.stringify({
    error: { code: error.code, message: error.message, request_id: requestId },
  });
  response.writeHead(status, {
    ...cors,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': error.errorType,
  });
  response.end(body);
  return status;
}

function sendResult(response: ServerResponse, result: APIGatewayProxyResult, requestId: string): number {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  // API Gateway merges the two maps; a name in both keeps every value.
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    const existing = headers[name];
    const more = values.map(String);
    headers[name] = existing === undefined ? more : [...[existing].flat(), ...more];
  }
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded === true ? 'base64' : 'utf8');
  headers['Content-Length'] = String(body.length);
  headers['x-amzn-RequestId'] = requestId;
  response.writeHead(result.statusCode, headers);
  response.end(body);
  return result.statusCode;
}

function sendPreflight(
  response: ServerResponse,
  route: Route,
  requestId: string,
  cors: Readonly<Record<string, string>>,
): number {
  response.writeHead(204, {
    ...cors,
    'Access-Control-Allow-Methods': [...route.methods, 'OPTIONS'].join(','),
    'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS.join(','),
    'Access-Control-Max-Age': '3600',
    'x-amzn-RequestId': requestId,
  });
  response.end();
  return 204;
}

/** Starts the adapter; resolves once it listens. */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const routes = options.routes ?? ROUTES;
  const keys = new ApiKeyChecker(options.apiKeys);
  const operatorKeys = new ApiKeyChecker(options.operatorKeys ?? []);
  const corsOrigins = options.corsOrigins ?? [];
  const stage = options.stage ?? 'local';
  const onError =
    options.onError ??
    ((error: unknown, route: Route) =>
      console.error(`${route.name}: the handler failed:`, error instanceof Error ? error.stack : error));
  let port = 0;
  /** Host header values of requests for this server: its address, and localhost on loopback. */
  const allowedHosts = new Set<string>();
  const answer = async (
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<Omit<AccessRecord, 'ms' | 'method' | 'path'>> => {
    const requestId = randomUUID();
    const method = (request.method ?? 'GET').toUpperCase();
    const { path } = parseTarget(request.url ?? '/');
    const rawHeaders = request.rawHeaders;
    const cors = corsHeaders(corsOrigins, headerValue(rawHeaders, 'origin'));
    const refuse = (error: GatewayResponse, route: Route | null = null) => ({
      status: sendGatewayError(response, error, requestId, cors),
      by: 'gateway' as const,
      route: route?.name ?? null,
    });
    if (!allowedHosts.has((headerValue(rawHeaders, 'host') ?? '').toLowerCase())) {
      response.setHeader('Connection', 'close');
      return refuse(MISDIRECTED);
    }
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        response.setHeader('Connection', 'close');
        return refuse(REQUEST_TOO_LARGE);
      }
      throw error;
    }

    if (options.pages !== undefined && (await options.pages({ method, path }, response))) {
      return { status: response.statusCode, by: 'page', route: null };
    }
    const route = routes.find((r) => r.path === path);
    if (route === undefined) return refuse(GATEWAY_RESPONSES.notFound);
    if (method === 'OPTIONS') {
      return { status: sendPreflight(response, route, requestId, cors), by: 'gateway', route: route.name };
    }
    const sentKey = headerValue(rawHeaders, 'x-api-key');
    let accepted: AcceptedKey | null = null;
    if (route.access === 'key') {
      accepted = keys.check(sentKey);
      if (accepted === null) return refuse(GATEWAY_RESPONSES.forbidden, route);
    } else if (route.access === 'operator') {
      accepted = operatorKeys.check(sentKey);
      if (accepted === null) return refuse(OPERATOR_ONLY, route);
    }

    const event = buildProxyEvent(
      {
        method,
        url: request.url ?? '/',
        rawHeaders,
        body,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        httpVersion: request.httpVersion,
        localPort: port,
      },
      { resource: route.path, stage, requestId, apiKey: accepted },
    );
    let result: unknown;
    try {
      result = await options.handlers[route.name](event, createLambdaContext(route.name));
    } catch (error) {
      onError(error, route);
      return refuse(GATEWAY_RESPONSES.internal, route);
    }
    if (!isProxyResult(result)) {
      onError(new Error(`the handler returned ${JSON.stringify(result)}, not a proxy result`), route);
      return refuse(GATEWAY_RESPONSES.internal, route);
    }
    return { status: sendResult(response, result, requestId), by: 'handler', route: route.name };
  };

  const server = createServer((request, response) => {
    // On every answer, the adapter's own and the handlers', as API Gateway's and the handlers' carry them.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    const started = performance.now();
    const method = request.method ?? 'GET';
    const path = parseTarget(request.url ?? '/').path;
    answer(request, response).then(
      (outcome) => options.onRequest?.({ method, path, ms: performance.now() - started, ...outcome }),
      (error: unknown) => {
        // Only the adapter's own faults get here (a handler's are answered above): never a stack trace out.
        console.error('local adapter:', error);
        if (!response.headersSent) sendGatewayError(response, GATEWAY_RESPONSES.internal, randomUUID(), {});
        else response.destroy();
      },
    );
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${options.port ?? 3000} on ${host} is in use; choose another with --port`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(options.port ?? 3000, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  allowedHosts.add(`${urlHost}:${port}`.toLowerCase());
  if (isLoopback(host)) allowedHosts.add(`localhost:${port}`);

  return {
    url: `http://${urlHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}

function isLoopback(host: string): boolean {
  return host === '::1' || host === 'localhost' || /^127\./.test(host);
}

/** Rejects, naming the port, when something already listens on it: checked before minutes of training. */
export async function checkPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${host} is in use; choose another with --port`)
          : error,
      ),
    );
    probe.listen(port, host, () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/**
 * CORS on real answers. API Gateway answers the preflight (OPTIONS) itself, but a browser reads an
 * answer's body only if that answer, too, names its origin: the handlers (middleware/cors.ts), the
 * local adapter and the gateway's own error responses all add the same headers, chosen here.
 */

/** What the preflight of the deployed API allows (defaultCorsPreflightOptions, Cors.DEFAULT_HEADERS). */
export const CORS_ALLOW_HEADERS = [
  'Content-Type',
  'X-Amz-Date',
  'Authorization',
  'X-Api-Key',
  'X-Amz-Security-Token',
  'X-Amz-User-Agent',
] as const;

/** Headers of the answers a browser script may read besides the simple ones. */
export const CORS_EXPOSE_HEADERS = ['Retry-After', 'x-amzn-RequestId'] as const;

/**
 * The CORS headers of an answer to a request from `origin` (its Origin header), for the allowed
 * `origins` (`*` for any): none when nothing is allowed; `*` when anything is; the origin itself,
 * with `Vary: Origin`, when it is one of the list.
 */
export function corsHeaders(origins: readonly string[], origin: string | undefined): Record<string, string> {
  if (origins.length === 0) return {};
  const expose = { 'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS.join(', ') };
  if (origins.includes('*')) return { 'Access-Control-Allow-Origin': '*', ...expose };
  if (origin === undefined || !origins.includes(origin)) return { Vary: 'Origin' };
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', ...expose };
}

/** The first value of a header in a headers map, whatever the spelling of its name. */
export function headerOf(
  headers: Readonly<Record<string, string | undefined>> | null | undefined,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * Headers every answer carries, the handlers', the gateway's own and the local adapter's alike:
 * - Strict-Transport-Security: a browser that reached the API over HTTPS never tries plain HTTP to it
 *   again for two years (API Gateway serves HTTPS only; the header closes the downgrade on a client's
 *   side too);
 * - X-Content-Type-Options: nosniff: an answer is read as the JSON it says it is, never sniffed into a
 *   script or a page.
 */
export const SECURITY_HEADERS = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
} as const;

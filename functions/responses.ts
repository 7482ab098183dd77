import type { APIGatewayProxyResult } from 'aws-lambda';
import type * as z from 'zod';

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  // Predictions change every hour and per model version: no shared cache may keep them.
  'Cache-Control': 'no-store',
} as const;

/** A JSON response whose body is checked against (and shaped by) the schema openapi.json documents. */
export function jsonResponse<S extends z.ZodType>(
  schema: S,
  body: z.input<S>,
  status = 200,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult {
  const checked = schema.parse(body);
  return { statusCode: status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(checked) };
}

/** A JSON response that is not checked: for the error responder, which must never fail itself. */
export function rawJsonResponse(
  body: unknown,
  status: number,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult {
  return jsonTextResponse(JSON.stringify(body), status, headers);
}

/** A response of JSON already serialised (a document built once and kept). */
export function jsonTextResponse(
  text: string,
  status: number,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult {
  return { statusCode: status, headers: { ...JSON_HEADERS, ...headers }, body: text };
}

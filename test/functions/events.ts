/** API Gateway REST proxy events from test/functions/fixtures/, and results read back. Light to import. */
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** An API Gateway REST proxy event from test/functions/fixtures/, fresh for each call. */
export function fixture(name: string): APIGatewayProxyEvent {
  const text = readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');
  return JSON.parse(text) as APIGatewayProxyEvent;
}

/** The fixture with other query parameters, as API Gateway would deliver them. */
export function withQuery(event: APIGatewayProxyEvent, query: Record<string, string>): APIGatewayProxyEvent {
  const entries = Object.entries(query);
  return {
    ...event,
    queryStringParameters: entries.length === 0 ? null : { ...query },
    multiValueQueryStringParameters:
      entries.length === 0 ? null : Object.fromEntries(entries.map(([k, v]) => [k, [v]])),
  };
}

export interface JsonResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | number | boolean>>;
  readonly body: Record<string, unknown>;
}

/** The result's status, headers and parsed JSON body. */
export function parse(result: APIGatewayProxyResult): JsonResult {
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: JSON.parse(result.body) as Record<string, unknown>,
  };
}

import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { badRequest } from '../http-errors.js';

/** An API Gateway event with its parameters parsed by requestParser. */
export type ParsedEvent<T> = APIGatewayProxyEvent & { readonly input: T };

export interface RequestParserOptions<S extends z.ZodType> {
  /** Validates the parameters: the query string, and the JSON body for `bodyMethods`. */
  readonly schema: S;
  /**
   * Methods whose JSON object body is read too, merged with the query string (the original API used
   * PUT with the same fields). A field given in both places must have the same value in both.
   */
  readonly bodyMethods?: readonly string[];
}

const defaults = { bodyMethods: [] as readonly string[] };

/**
 * Parses the query string (and for `bodyMethods` a JSON body) with a zod schema before the handler,
 * and puts the result on `event.input`. Anything wrong is an HttpError 400 naming the field and the
 * reason, so that handlers only ever see valid input.
 */
export function requestParser<S extends z.ZodType>(
  options: RequestParserOptions<S>,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { schema, bodyMethods } = { ...defaults, ...options };
  const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  return {
    before: (request) => {
      const { event } = request;
      const fields = queryFields(event);
      if (bodyMethods.includes(event.httpMethod.toUpperCase())) {
        for (const [name, value] of Object.entries(bodyFields(event))) {
          const fromQuery = fields[name];
          if (fromQuery !== undefined && fromQuery !== value) {
            throw badRequest(
              name,
              `given as ${JSON.stringify(fromQuery)} in the query string and ${JSON.stringify(value)} in the body; give it once`,
            );
          }
          fields[name] = value;
        }
      }
      const parsed = schema.safeParse(fields);
      if (!parsed.success) {
        const [first, ...rest] = parsed.error.issues.map((issue) => describeIssue(issue, known));
        if (first === undefined) throw badRequest('(request)', 'invalid parameters');
        const more =
          rest.length === 0 ? '' : `; also ${rest.map((r) => `${r.field}: ${r.reason}`).join('; ')}`;
        throw badRequest(first.field, `${first.reason}${more}`, { cause: parsed.error });
      }
      const input: z.output<S> = parsed.data;
      request.event = Object.assign(event, { input });
    },
  };
}

/** Single values only: a parameter given twice is refused rather than one of its values picked. */
function queryFields(event: APIGatewayProxyEvent): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) fields[name] = value;
  }
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (values !== undefined && values.length > 1) {
      throw badRequest(name, `given ${values.length} times; give it once`);
    }
  }
  return fields;
}

function bodyFields(event: APIGatewayProxyEvent): Record<string, unknown> {
  if (event.body === null || event.body.trim() === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest(
      'body',
      'not valid JSON; send a JSON object such as {"currency":"BTC","compare":"USDT"}',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('body', 'expected a JSON object such as {"currency":"BTC","compare":"USDT"}');
  }
  return { ...value };
}

function describeIssue(issue: z.core.$ZodIssue, known: readonly string[]): { field: string; reason: string } {
  if (issue.code === 'unrecognized_keys') {
    const expected = known.length === 0 ? 'none is expected' : `expected ${known.join(', ')}`;
    return {
      field: issue.keys.join(', '),
      reason: `unknown parameter${issue.keys.length > 1 ? 's' : ''} (${expected})`,
    };
  }
  const field = issue.path.map(String).join('.');
  return { field: field === '' ? '(request)' : field, reason: issue.message };
}

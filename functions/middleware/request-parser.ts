import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { issuePath } from '../../core/validation/issues.js';
import { badRequest, someOf } from '../http-errors.js';
import { BODY_LIMITS, boundedBodyText, checkJsonShape, type BodyLimits } from './body-limits.js';

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
  /** Size, depth and key count a body may have; BODY_LIMITS by default. */
  readonly bodyLimits?: BodyLimits;
}

const defaults = { bodyMethods: [] as readonly string[], bodyLimits: BODY_LIMITS as BodyLimits };

/** Problems named in one 400 answer; the rest are counted. */
const MAX_ISSUES = 3;

/**
 * Parses the query string (and for `bodyMethods` a JSON body) with a zod schema before the handler,
 * and puts the result on `event.input`. Anything wrong is an HttpError 400 naming the field and the
 * reason (413 for a body over the size limit), so that handlers only ever see valid input. A body is
 * measured before it is parsed, and no message quotes more than a few of the request's names or values.
 */
export function requestParser<S extends z.ZodType>(
  options: RequestParserOptions<S>,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { schema, bodyMethods, bodyLimits } = { ...defaults, ...options };
  const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  return {
    before: (request) => {
      const { event } = request;
      const fields = queryFields(event);
      if (bodyMethods.includes(event.httpMethod.toUpperCase())) {
        for (const [name, value] of Object.entries(bodyFields(event, bodyLimits))) {
          const fromQuery = fields[name];
          if (fromQuery !== undefined && fromQuery !== value) {
            throw badRequest(
              name,
              `given as ${preview(fromQuery)} in the query string and ${preview(value)} in the body; give it once`,
            );
          }
          fields[name] = value;
        }
      }
      const parsed = schema.safeParse(fields);
      if (!parsed.success) {
        const described = parsed.error.issues.map((issue) => describeIssue(issue, known));
        const [first, ...rest] = described;
        if (first === undefined) throw badRequest('(request)', 'invalid parameters');
        const shown = rest.slice(0, MAX_ISSUES - 1).map((r) => `${r.field}: ${r.reason}`);
        const hidden = rest.length - shown.length;
        const more =
          (shown.length === 0 ? '' : `; also ${shown.join('; ')}`) +
          (hidden === 0 ? '' : `; and ${hidden} more problem${hidden > 1 ? 's' : ''}`);
        throw badRequest(first.field, `${first.reason}${more}`, { cause: parsed.error });
      }
      const input: z.output<S> = parsed.data;
      request.event = Object.assign(event, { input });
    },
  };
}

/**
 * A map of the request's names with no prototype: a name such as `__proto__` or `constructor` is an own
 * key like any other (and so an unknown parameter to the schema), never a way to reach or replace a
 * prototype through an assignment.
 */
function fieldMap(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/** Single values only: a parameter given twice is refused rather than one of its values picked. */
function queryFields(event: APIGatewayProxyEvent): Record<string, unknown> {
  const fields = fieldMap();
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

function bodyFields(event: APIGatewayProxyEvent, limits: BodyLimits): Record<string, unknown> {
  if (event.body === null || event.body.trim() === '') return {};
  const text = boundedBodyText(event.body, event.isBase64Encoded, limits);
  checkJsonShape(text, limits);
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
  // JSON.parse makes `__proto__` an own key; copied key by key into a map that has no prototype.
  return Object.assign(fieldMap(), value);
}

/** A value as a message may quote it: short text as JSON, anything else by its kind. */
function preview(value: unknown): string {
  if (typeof value === 'string') return value.length <= 40 ? JSON.stringify(value) : 'a long text';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function describeIssue(issue: z.core.$ZodIssue, known: readonly string[]): { field: string; reason: string } {
  if (issue.code === 'unrecognized_keys') {
    const expected = known.length === 0 ? 'none is expected' : `expected ${known.join(', ')}`;
    return {
      field: someOf(issue.keys.map((key) => (key.length <= 40 ? key : `${key.slice(0, 40)}…`))),
      reason: `unknown parameter${issue.keys.length > 1 ? 's' : ''} (${expected})`,
    };
  }
  const field = issuePath(issue);
  return { field: field === '' ? '(request)' : field, reason: issue.message };
}

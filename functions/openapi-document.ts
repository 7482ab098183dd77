import * as z from 'zod';
import { ROUTES, type RouteAccess, type RouteName } from './routes.js';
import { ErrorResponseSchema } from './schemas/error.js';
import { HealthResponseSchema } from './schemas/health.js';
import { HeldOutResponseSchema } from './schemas/heldout.js';
import { ModelEntrySchema, ModelsResponseSchema, ReloadResponseSchema } from './schemas/models.js';
import { ResponseCandleSchema, PredictResponseSchema } from './schemas/predict.js';
import { ReadyResponseSchema, StatusResponseSchema } from './schemas/ready.js';
import { NoParametersSchema, PredictRequestSchema } from './schemas/request.js';
import { HeldOutRequestSchema, RunsRequestSchema } from './schemas/runs-request.js';
import { RunRecordResponseSchema, RunsResponseSchema } from './schemas/runs.js';
import { MetricsSummarySchema, ServedModelSchema } from './schemas/served-model.js';

/** The schemas listed under components.schemas, by the name other schemas refer to them with. */
const COMPONENTS = {
  PredictResponse: PredictResponseSchema,
  ModelsResponse: ModelsResponseSchema,
  ReloadResponse: ReloadResponseSchema,
  HealthResponse: HealthResponseSchema,
  ReadyResponse: ReadyResponseSchema,
  StatusResponse: StatusResponseSchema,
  HeldOutResponse: HeldOutResponseSchema,
  RunsResponse: RunsResponseSchema,
  RunRecord: RunRecordResponseSchema,
  ErrorResponse: ErrorResponseSchema,
  ModelSummary: ServedModelSchema,
  ModelEntry: ModelEntrySchema,
  MetricsSummary: MetricsSummarySchema,
  Candle: ResponseCandleSchema,
} as const;

type ComponentName = keyof typeof COMPONENTS;

interface OperationSpec {
  readonly summary: string;
  readonly description: string;
  readonly request: z.ZodType;
  /** Methods that also take the request as a JSON body. */
  readonly bodyMethods?: readonly string[];
  /** The success schema; null for a free-form JSON object. */
  readonly ok: ComponentName | null;
  /** Statuses answered with the error schema, beside 405 and 500 that every route has. */
  readonly errors: readonly number[];
  /** A status answered with the success schema too (readyz's 503). */
  readonly alsoOk?: number;
  /** What an error status means on this route, where STATUS_TEXT's general words do not say it. */
  readonly errorText?: Readonly<Record<number, string>>;
}

const OPERATIONS: Readonly<Record<RouteName, OperationSpec>> = {
  predict: {
    summary: 'Predicted close of the next candle',
    description:
      'The close the model predicts for the candle after the last closed one, beside that candle, the change, and the model with its test accuracy against the naive forecast, its age and whether it is stale (a stale model still answers). PUT takes the same fields in the query string or as a JSON object body (a field given in both must agree).',
    request: PredictRequestSchema,
    bodyMethods: ['PUT'],
    ok: 'PredictResponse',
    errors: [400, 404, 502, 503],
  },
  models: {
    summary: 'Published models',
    description:
      'Every served pair with a published model: its latest version, training time, age, staleness and test metrics.',
    request: NoParametersSchema,
    ok: 'ModelsResponse',
    errors: [400, 503],
  },
  reload: {
    summary: 'Read latest.json of every pair now',
    description:
      "Operators only (IAM-signed requests deployed, the operator key locally): loads each pair's latest published version in the instance that answers, instead of waiting for the refresh interval. A version that fails to load leaves the previous one serving; the answer says which and why.",
    request: NoParametersSchema,
    ok: 'ReloadResponse',
    errors: [400],
  },
  openapi: {
    summary: 'This document',
    description:
      'The OpenAPI 3.1 description of the API, generated from the schemas the handlers validate with.',
    request: NoParametersSchema,
    ok: null,
    errors: [400],
  },
  healthz: {
    summary: 'Liveness',
    description: 'The process answers. Touches neither storage nor the exchange.',
    request: NoParametersSchema,
    ok: 'HealthResponse',
    errors: [400],
  },
  readyz: {
    summary: 'Readiness',
    description:
      'Storage answers, at least one model loads and no served model is stale: 200, or 503. Public, so it says nothing else; GET /status gives the reasons to operators.',
    request: NoParametersSchema,
    ok: 'ReadyResponse',
    errors: [400],
    alsoOk: 503,
  },
  status: {
    summary: 'Readiness, with its reasons',
    description:
      "Operators only (IAM-signed requests deployed, the operator key locally): /readyz's verdict with storage's state, each served model's version, age and staleness, and every problem (a stale model: its age against the limit; a version refused: why).",
    request: NoParametersSchema,
    ok: 'StatusResponse',
    errors: [400],
    alsoOk: 503,
  },
  heldout: {
    summary: "A training run's held-out hours",
    description:
      "Every held-out (test) hour of a training run as the served distribution forecast it: the quantiles p05 to p95 and the 95% interval of the close, from the window before it, beside the close that followed; and how often the closes landed inside the 90% and 95% bands. These hours touched no fit, no calibration and no choice. Without run, the pair's newest run that kept them; a published run's id is its version (/predict's model.version).",
    request: HeldOutRequestSchema,
    ok: 'HeldOutResponse',
    errors: [400, 404, 503],
    errorText: {
      404: 'The pair is not served (`available` lists those that are), or no run of it kept held-out hours, or not the run asked for',
      503: 'Storage is unavailable or the run’s held-out hours cannot be read; retry after the Retry-After header',
    },
  },
  runs: {
    summary: 'Training runs: settings, learning curves, figures and outcome',
    description:
      "The record every training run leaves, published, refused by a gate or failed: its data range and source, settings, machine and backend, per-epoch training and validation loss, the validation and held-out figures beside the naive forecast and the B0 and B1 baselines, the scale served and why, and the outcome with its reason. Newest first, of one pair (currency and compare; NETWORK and SCALE for the shared scale network) or of every subject; or one run by its id (a published run's id is its version). Records outlive version pruning.",
    request: RunsRequestSchema,
    ok: 'RunsResponse',
    errors: [400, 404, 503],
    errorText: {
      404: 'The pair is not served (`available` lists those that are), or there is no such run',
      503: 'Storage is unavailable or the run’s record cannot be read; retry after the Retry-After header',
    },
  },
};

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'A parameter is missing or invalid; `field` names it',
  404: 'No model for this pair; `available` lists the pairs served',
  405: 'Method not allowed; the Allow header lists the allowed ones',
  500: 'Internal error; the body holds only a request id',
  502: 'The exchange refused the request',
  503: 'The exchange, storage or model is unavailable; retry after the Retry-After header',
};

type JsonObject = Record<string, unknown>;

const API_KEY_SCHEME = 'api_key';
/** Operator routes, deployed: IAM authorisation, requests signed with AWS Signature Version 4. */
const SIGV4_SCHEME = 'sigv4';

/** The security requirement of each kind of route. */
const SECURITY: Readonly<Record<RouteAccess, readonly Record<string, never[]>[]>> = {
  key: [{ [API_KEY_SCHEME]: [] }],
  public: [],
  operator: [{ [SIGV4_SCHEME]: [] }],
};

/** The OpenAPI 3.1 document of ROUTES, with every schema generated from the zod schemas in schemas.ts. */
export function buildOpenApiDocument(): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of ROUTES) {
    const spec = OPERATIONS[route.name];
    const item: JsonObject = {};
    for (const method of route.methods) {
      item[method.toLowerCase()] = operation(
        route.name,
        method,
        route.methods.length > 1,
        route.access,
        spec,
      );
    }
    paths[route.path] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'crypto-forecast API',
      version: '0.1.0',
      description:
        'Hourly close-price forecasts of cryptocurrency pairs from LSTM models trained on exchange candles. Every model is reported beside the naive forecast "next close = last close".',
    },
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        [API_KEY_SCHEME]: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        [SIGV4_SCHEME]: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'AWS Signature Version 4 by a principal with the API operator policy (IAM).',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
}

function operation(
  name: RouteName,
  method: string,
  several: boolean,
  access: RouteAccess,
  spec: OperationSpec,
): JsonObject {
  const request = inputSchema(spec.request);
  const takesBody = spec.bodyMethods?.includes(method) ?? false;
  const responses: Record<string, JsonObject> = { '200': response(200, spec.ok) };
  for (const status of [...spec.errors, 405, 500].sort((a, b) => a - b)) {
    responses[String(status)] = response(
      status,
      status === spec.alsoOk ? spec.ok : 'ErrorResponse',
      spec.errorText?.[status],
    );
  }
  return {
    operationId: several ? `${name}${method[0]}${method.slice(1).toLowerCase()}` : name,
    summary: spec.summary,
    description: spec.description,
    // With a body, each field may come from either place, so no query parameter is required as such.
    parameters: queryParameters(request, !takesBody),
    ...(takesBody
      ? { requestBody: { required: false, content: { 'application/json': { schema: request } } } }
      : {}),
    responses,
    security: SECURITY[access],
  };
}

function response(status: number, schema: ComponentName | null, text?: string): JsonObject {
  return {
    description: text ?? STATUS_TEXT[status] ?? String(status),
    content: {
      'application/json': {
        schema: schema === null ? { type: 'object' } : { $ref: `#/components/schemas/${schema}` },
      },
    },
  };
}

/** What a client sends (before transforms such as upper-casing), without the $schema header. */
function inputSchema(schema: z.ZodType): JsonObject {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
  return rest;
}

function queryParameters(schema: JsonObject, enforceRequired: boolean): JsonObject[] {
  const properties = (schema['properties'] ?? {}) as Record<string, JsonObject>;
  const required = new Set(enforceRequired ? ((schema['required'] ?? []) as string[]) : []);
  return Object.entries(properties).map(([name, property]) => {
    const { description, examples, ...rest } = property;
    return {
      name,
      in: 'query',
      required: required.has(name),
      ...(description === undefined ? {} : { description }),
      ...(Array.isArray(examples) && examples.length > 0 ? { example: examples[0] } : {}),
      schema: rest,
    };
  });
}

/** One generation over a registry, so that schemas used inside others become $refs, not copies. */
function componentSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
    override: ({ jsonSchema }) => {
      // Responses may gain fields in later versions; clients should not be told that none can appear.
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
      // format says it; zod's 300-character regex for the same thing only makes the document unreadable.
      if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
    },
  });
  const result: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema as JsonObject;
    result[id] = rest;
  }
  return result;
}

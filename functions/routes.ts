/**
 * Who may call a route:
 * - `key`: any API key of the usage plan, in `x-api-key`;
 * - `public`: anyone, under the stage's low throttle for public routes (health checks);
 * - `operator`: operators only. Deployed, IAM authorisation (a SigV4-signed request from a principal
 *   with the API's operator policy); locally, the operator key of the local stack in `x-api-key`.
 */
export type RouteAccess = 'key' | 'public' | 'operator';

interface RouteSpec {
  readonly name: string;
  readonly path: string;
  readonly methods: readonly string[];
  /** The Lambda entry module (functions/lambda/), relative to the project root. */
  readonly entry: string;
  readonly access: RouteAccess;
}

/**
 * The HTTP API, one entry per Lambda function. API Gateway (infra/) and the local
 * adapter (functions/local/) are both built from this table, so the deployed API
 * and the local one cannot drift apart.
 */
export const ROUTES = [
  {
    name: 'predict',
    path: '/predict',
    methods: ['GET', 'PUT'],
    entry: 'functions/lambda/predict.ts',
    access: 'key',
  },
  { name: 'models', path: '/models', methods: ['GET'], entry: 'functions/lambda/models.ts', access: 'key' },
  {
    name: 'reload',
    path: '/models/reload',
    methods: ['POST'],
    entry: 'functions/lambda/reload.ts',
    access: 'operator',
  },
  {
    name: 'openapi',
    path: '/openapi.json',
    methods: ['GET'],
    entry: 'functions/lambda/openapi.ts',
    access: 'key',
  },
  {
    name: 'healthz',
    path: '/healthz',
    methods: ['GET'],
    entry: 'functions/lambda/healthz.ts',
    access: 'public',
  },
  {
    name: 'readyz',
    path: '/readyz',
    methods: ['GET'],
    entry: 'functions/lambda/readyz.ts',
    access: 'public',
  },
  {
    name: 'status',
    path: '/status',
    methods: ['GET'],
    entry: 'functions/lambda/status.ts',
    access: 'operator',
  },
] as const satisfies readonly RouteSpec[];

export type Route = (typeof ROUTES)[number];
export type RouteName = Route['name'];

/**
 * Environment the CDK stack gives the functions. Every other setting comes from conf/ (bundled beside
 * the handler, MUR_CONF_DIR), the folder the stack itself read: pairs, schedule, staleness, CORS origins
 * and the model prefix have that one home.
 */
export const FUNCTION_ENVIRONMENT = {
  MODEL_BUCKET: 'artifact bucket (the one the stack creates)',
  MUR_ENV: 'configuration laid over conf/base (confEnv of the stack)',
  MUR_CONF_DIR: 'where conf/ is (bundled beside the handler, as JSON)',
} as const;

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
  /**
   * Whether the function reads published models (S3 under the models prefix) and verifies their signature
   * (MODEL_SIGNING_KEY). Deployed, only these functions get read access to the bucket and the key's public
   * half; the others get no S3 or KMS access at all.
   */
  readonly loadsModels: boolean;
  /**
   * Whether the function reads the training runs' records (S3 under the runs prefix, core/runs/layout.ts).
   * Deployed, only these functions get read access there; records are not signed, so no key comes with it.
   */
  readonly readsRuns: boolean;
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
    loadsModels: true,
    readsRuns: false,
  },
  {
    name: 'models',
    path: '/models',
    methods: ['GET'],
    entry: 'functions/lambda/models.ts',
    access: 'key',
    loadsModels: true,
    readsRuns: false,
  },
  {
    name: 'reload',
    path: '/models/reload',
    methods: ['POST'],
    entry: 'functions/lambda/reload.ts',
    access: 'operator',
    loadsModels: true,
    readsRuns: false,
  },
  {
    name: 'openapi',
    path: '/openapi.json',
    methods: ['GET'],
    entry: 'functions/lambda/openapi.ts',
    access: 'key',
    loadsModels: false,
    readsRuns: false,
  },
  {
    name: 'healthz',
    path: '/healthz',
    methods: ['GET'],
    entry: 'functions/lambda/healthz.ts',
    access: 'public',
    loadsModels: false,
    readsRuns: false,
  },
  {
    name: 'readyz',
    path: '/readyz',
    methods: ['GET'],
    entry: 'functions/lambda/readyz.ts',
    access: 'public',
    loadsModels: true,
    readsRuns: false,
  },
  {
    name: 'status',
    path: '/status',
    methods: ['GET'],
    entry: 'functions/lambda/status.ts',
    access: 'operator',
    loadsModels: true,
    readsRuns: false,
  },
  {
    name: 'heldout',
    path: '/heldout',
    methods: ['GET'],
    entry: 'functions/lambda/heldout.ts',
    access: 'key',
    loadsModels: false,
    readsRuns: true,
  },
  {
    name: 'runs',
    path: '/runs',
    methods: ['GET'],
    entry: 'functions/lambda/runs.ts',
    access: 'key',
    loadsModels: false,
    readsRuns: true,
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
  MODEL_SIGNING_KEY:
    'kms:<key ARN> of the asymmetric key (ECC_NIST_P256) whose ECDSA_SHA_256 signature over manifest.json a model must carry; set only on the functions whose route loads models (loadsModels)',
} as const;

/** The variables of FUNCTION_ENVIRONMENT that only the functions of routes with `loadsModels` receive. */
export const MODEL_LOADING_ENVIRONMENT = [
  'MODEL_SIGNING_KEY',
] as const satisfies readonly (keyof typeof FUNCTION_ENVIRONMENT)[];

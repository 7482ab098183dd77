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
    apiKey: true,
  },
  { name: 'models', path: '/models', methods: ['GET'], entry: 'functions/lambda/models.ts', apiKey: true },
  {
    name: 'reload',
    path: '/models/reload',
    methods: ['POST'],
    entry: 'functions/lambda/reload.ts',
    apiKey: true,
  },
  {
    name: 'openapi',
    path: '/openapi.json',
    methods: ['GET'],
    entry: 'functions/lambda/openapi.ts',
    apiKey: true,
  },
  {
    name: 'healthz',
    path: '/healthz',
    methods: ['GET'],
    entry: 'functions/lambda/healthz.ts',
    apiKey: false,
  },
  { name: 'readyz', path: '/readyz', methods: ['GET'], entry: 'functions/lambda/readyz.ts', apiKey: false },
] as const;

export type Route = (typeof ROUTES)[number];
export type RouteName = Route['name'];

/**
 * Environment the functions read (set by the CDK stack; by the local stack locally).
 * Every other setting comes from conf/ (bundled beside the handler, MUR_CONF_DIR).
 */
export const FUNCTION_ENVIRONMENT = {
  MODEL_BUCKET: 'artifact bucket',
  MODEL_PREFIX: 'key prefix inside the bucket',
  PAIRS: 'comma-separated pairs served',
  MUR_ENV: 'configuration laid over conf/base',
  MUR_CONF_DIR: 'where conf/ is (bundled beside the handler)',
  SCHEDULE_PERIOD_MINUTES: 'minutes between two scheduled training runs (the stack schedule)',
  STALE_AFTER_PERIODS: 'schedule periods after which a model is stale (stalenessPeriods, as the alarm)',
} as const;

import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_4XX, GATEWAY_RESPONSES } from '../../functions/gateway-responses.js';
import {
  MODEL_LOADING_ENVIRONMENT,
  type FUNCTION_ENVIRONMENT,
  type Route,
  type RouteName,
} from '../../functions/routes.js';
import { SECURITY_HEADERS } from '../../functions/security-headers.js';
import type { Config } from '../../core/config/schema.js';
import { ApiFirewall } from './api-firewall.js';
import type { InfraConfig } from './config.js';
import { FUNCTION_CONF_DIR, LAMBDA_ARCHITECTURE, functionBundling } from './function-bundling.js';
import { MODEL_SIGNING_KEY_ENV, type ModelSigning } from './model-signing.js';
import type { ModelStore } from './model-store.js';
import { acknowledge, managedPolicyFinding } from './nag.js';

export interface ForecastApiProps {
  readonly config: InfraConfig;
  /** conf/{config.confEnv}, which the functions bundle and read: the preflight's origins come from it too. */
  readonly conf: Config;
  readonly store: ModelStore;
  /** The key whose public half the model-loading functions read to verify a manifest's signature. */
  readonly signing: ModelSigning;
  /** The route table (functions/routes.ts): one function per entry. */
  readonly routes: readonly Route[];
  /** The repository root: entries are relative to it, node_modules/ and conf/ are in it. */
  readonly projectDir: string;
}

/** The stage in every URL: https://{id}.execute-api.{region}.amazonaws.com/v1/predict. */
export const API_STAGE = 'v1';

/**
 * The gateway responses, in the handlers' error shape: the contract in functions/gateway-responses.ts,
 * which the local adapter sends too. An unknown path is MISSING_AUTHENTICATION_TOKEN, answered as 404;
 * a known path with another method reaches its function through ANY, which answers 405. In the mapping
 * template, a fixed text is a JSON string and DEFAULT_4XX's fields are API Gateway's own variables.
 */
const GATEWAY_ANSWERS: readonly { type: string; status: number | null; code: string; message: string }[] = [
  ...Object.values(GATEWAY_RESPONSES).map((answer) => ({
    ...answer,
    code: JSON.stringify(answer.code),
    message: JSON.stringify(answer.message),
  })),
  { ...DEFAULT_4XX, status: null, code: `"${DEFAULT_4XX.code}"` },
];

/**
 * Steady requests per second and burst of each public route (/healthz, /readyz), whoever calls: they
 * need no key, so no usage plan bounds them, and a health check needs a call every few seconds at most.
 */
export const PUBLIC_ROUTE_THROTTLE = { rateLimit: 5, burstLimit: 10 } as const;

/**
 * Concurrent executions reserved for a route's function, or undefined for none: the predict function's
 * ceiling (a flood of paid traffic cannot take the account's pool), and the public health functions' own
 * share (a predict flood cannot take theirs). 0 in the configuration means no reservation: Lambda reads a
 * reservation of 0 as "never run".
 */
export function reservedConcurrency(route: Route, config: InfraConfig): number | undefined {
  const reserved =
    route.name === 'predict'
      ? config.predictReservedConcurrency
      : route.access === 'public'
        ? config.healthReservedConcurrency
        : 0;
  return reserved > 0 ? reserved : undefined;
}

/**
 * The HTTP API: one Lambda function per route, a REST API in front of them with API keys on every route
 * the table marks, two usage plans (a default tier and an operator tier, each a monthly quota and a
 * throttle per key), access logs, CORS, and optionally a WAF web ACL.
 */
export class ForecastApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly functions: ReadonlyMap<RouteName, NodejsFunction>;
  /** The default tier: quotaPerMonth and throttleRateLimit/BurstLimit per key. */
  public readonly usagePlan: apigw.UsagePlan;
  public readonly apiKey: apigw.IApiKey;
  /** The operator tier: higher limits, its own key. */
  public readonly operatorUsagePlan: apigw.UsagePlan;
  public readonly operatorApiKey: apigw.IApiKey;
  /** The web ACL on the stage, with `waf` on. */
  public readonly firewall: ApiFirewall | undefined;
  /** Lets a principal call the operator routes (IAM authorisation): attach it to an operator's role. */
  public readonly operatorPolicy: iam.ManagedPolicy;
  public readonly accessLogs: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: ForecastApiProps) {
    super(scope, id);
    const { config, conf, store, signing, routes, projectDir } = props;
    const architecture = LAMBDA_ARCHITECTURE[config.architecture].lambda;
    const bundling = functionBundling(config.architecture, projectDir);

    const environment: Record<keyof typeof FUNCTION_ENVIRONMENT, string> = {
      // The bucket this stack creates; every other setting is in the bundled conf/ (MUR_ENV), the file
      // the stack itself read: pairs, schedule, staleness and CORS origins cannot differ between them.
      MODEL_BUCKET: store.bucket.bucketName,
      MUR_ENV: config.confEnv,
      MUR_CONF_DIR: FUNCTION_CONF_DIR,
      [MODEL_SIGNING_KEY_ENV]: signing.environmentValue,
    };
    const modelOnly = new Set<string>(MODEL_LOADING_ENVIRONMENT);
    const environmentOf = (route: Route): Record<string, string> =>
      Object.fromEntries(
        Object.entries(environment).filter(([key]) => route.loadsModels || !modelOnly.has(key)),
      );

    const functions = new Map<RouteName, NodejsFunction>();
    for (const route of routes) {
      const name = pascalCase(route.name);
      const fn = new NodejsFunction(this, `${name}Function`, {
        description: `${route.methods.join(', ')} ${route.path}`,
        entry: join(projectDir, route.entry),
        handler: 'handler',
        projectRoot: projectDir,
        depsLockFilePath: join(projectDir, 'package-lock.json'),
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture,
        memorySize: config.functionMemoryMiB,
        timeout: Duration.seconds(config.functionTimeoutSeconds),
        environment: { ...environmentOf(route), NODE_OPTIONS: '--enable-source-maps' },
        reservedConcurrentExecutions: reservedConcurrency(route, config),
        bundling,
        logGroup: new logs.LogGroup(this, `${name}Logs`, {
          retention: config.logRetentionDays,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      });
      // Least privilege by route: a function that loads no model (healthz, openapi) gets no S3 and no KMS.
      if (route.loadsModels) {
        store.grantReadModels(fn);
        signing.grantVerify(fn);
      }
      // The run records (GET /runs, /heldout): read only, and nothing of the models or the key.
      if (route.readsRuns) store.grantReadRuns(fn);
      acknowledge(
        fn,
        managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole'),
        'It only lets the function write its CloudWatch logs; AWS maintains it for exactly that.',
      );
      acknowledge(
        fn,
        'AwsSolutions-L1',
        'Node.js 22 is the runtime the handlers and onnxruntime-node are built and tested for; a newer one ' +
          'is adopted after a test run on it, not by default.',
      );
      functions.set(route.name, fn);
    }
    this.functions = functions;

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const origins = conf.serving.cors_origins;
    const allowOrigins = origins.includes('*') ? apigw.Cors.ALL_ORIGINS : origins;
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-api`,
      description: 'Hourly crypto close-price forecasts',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Access and execution logs need the account's API Gateway CloudWatch role; this creates it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: API_STAGE,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        // The ceiling of the whole stage, keys or not: health checks have no key and no usage plan.
        throttlingRateLimit: config.stageRateLimit,
        throttlingBurstLimit: config.stageBurstLimit,
        // ... and each public route has its own low one, so that they cannot use up the stage's.
        methodOptions: Object.fromEntries(
          routes
            .filter((route) => route.access === 'public')
            .map((route) => [
              `${route.path}/*`,
              {
                throttlingRateLimit: PUBLIC_ROUTE_THROTTLE.rateLimit,
                throttlingBurstLimit: PUBLIC_ROUTE_THROTTLE.burstLimit,
              },
            ]),
        ),
      },
      // No origin allowed (serving.cors_origins: []): no preflight either, and no browser page reads answers.
      ...(origins.length === 0
        ? {}
        : {
            defaultCorsPreflightOptions: {
              allowOrigins,
              allowMethods: [...new Set(routes.flatMap((route) => [...route.methods])), 'OPTIONS'],
              allowHeaders: [...apigw.Cors.DEFAULT_HEADERS],
              maxAge: Duration.hours(1),
            },
          }),
    });

    for (const route of routes) {
      const fn = functions.get(route.name);
      if (fn === undefined) continue;
      const integration = new apigw.LambdaIntegration(fn);
      const resource = this.api.root.resourceForPath(route.path);
      // Operator routes take IAM-signed requests of a principal with the operator policy, no usage-plan key.
      const access: apigw.MethodOptions =
        route.access === 'operator'
          ? { authorizationType: apigw.AuthorizationType.IAM, apiKeyRequired: false }
          : { apiKeyRequired: route.access === 'key' };
      for (const method of route.methods) {
        resource.addMethod(method, integration, {
          ...access,
          operationName: `${route.name}${pascalCase(method.toLowerCase())}`,
        });
      }
      // Every other method reaches the function too, which answers 405 with an Allow header: without
      // ANY, API Gateway would answer a wrong method as if the path did not exist.
      resource.addMethod('ANY', integration, { ...access, operationName: `${route.name}Other` });
    }

    // What an operator's role or user attaches to call the operator routes (POST /models/reload).
    const operatorRoutes = routes.filter((route) => route.access === 'operator');
    this.operatorPolicy = new iam.ManagedPolicy(this, 'OperatorPolicy', {
      description: `Calls the operator routes of the forecast API: ${operatorRoutes.map((r) => r.path).join(', ')}`,
      statements: [
        new iam.PolicyStatement({
          actions: ['execute-api:Invoke'],
          resources: operatorRoutes.flatMap((route) =>
            route.methods.map((method) => this.api.arnForExecuteApi(method, route.path, API_STAGE)),
          ),
        }),
      ],
    });

    // Browsers only read an error's body with CORS headers; a single origin (or *) can be a static value.
    const origin = allowOrigins.length === 1 ? allowOrigins[0] : undefined;
    for (const answer of GATEWAY_ANSWERS) {
      this.api.addGatewayResponse(answer.type, {
        type: apigw.ResponseType.of(answer.type),
        ...(answer.status === null ? {} : { statusCode: String(answer.status) }),
        // The handlers' security headers on the gateway's own answers too (quoted: static values).
        responseHeaders: {
          ...Object.fromEntries(
            Object.entries(SECURITY_HEADERS).map(([name, value]) => [name, `'${value}'`]),
          ),
          ...(origin === undefined ? {} : { 'Access-Control-Allow-Origin': `'${origin}'` }),
        },
        templates: {
          'application/json': `{"error":{"code":${answer.code},"message":${answer.message},"request_id":"$context.requestId"}}`,
        },
      });
    }

    // Usage plans meter and limit only the methods that require a key: the public health routes are in
    // neither plan (their own method throttle bounds them), nor is the IAM-signed operator route.
    this.usagePlan = this.api.addUsagePlan('UsagePlan', {
      name: `${Stack.of(this).stackName}-default`,
      description: `Default tier: ${config.quotaPerMonth} calls a month per key`,
      quota: { limit: config.quotaPerMonth, period: apigw.Period.MONTH },
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    // A first key, so the API answers right after deploy; add one per user with `aws apigateway create-api-key`.
    this.apiKey = this.api.addApiKey('DefaultKey', {
      description: 'First key of the default tier, created by the stack',
    });
    this.usagePlan.addApiKey(this.apiKey);

    this.operatorUsagePlan = this.api.addUsagePlan('OperatorUsagePlan', {
      name: `${Stack.of(this).stackName}-operator`,
      description: `Operator tier: ${config.operatorQuotaPerMonth} calls a month per key`,
      quota: { limit: config.operatorQuotaPerMonth, period: apigw.Period.MONTH },
      throttle: {
        rateLimit: config.operatorThrottleRateLimit,
        burstLimit: config.operatorThrottleBurstLimit,
      },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    this.operatorApiKey = this.api.addApiKey('OperatorKey', {
      description: 'Key of the operator tier, created by the stack',
    });
    this.operatorUsagePlan.addApiKey(this.operatorApiKey);

    this.firewall = config.waf
      ? new ApiFirewall(this, 'Firewall', {
          stage: this.api.deploymentStage,
          requestsPerIp: config.wafRateLimit,
        })
      : undefined;

    acknowledge(
      this.api,
      'AwsSolutions-APIG2',
      'Every handler validates its query and body with zod and answers 400 naming the parameter; an API ' +
        'Gateway validator would duplicate the schema and answer in another shape.',
    );
    if (this.firewall === undefined) {
      // With waf on, the web ACL is associated with the stage and the rule is satisfied, not acknowledged.
      acknowledge(
        this.api,
        'AwsSolutions-APIG3',
        'waf is off (the default): a web ACL is billed every month, idle or not. API keys, the per-key ' +
          'quota and throttle of both tiers, the stage and per-route throttles and reserved concurrency ' +
          'bound the traffic; deploy with -c waf=true for a rate limit per client IP.',
      );
    }
    acknowledge(
      this.api,
      'AwsSolutions-APIG4',
      'Access is by API key with usage plans (quota and throttle per key, a default and an operator tier), ' +
        'as in the original product, and ' +
        'by IAM for the operator routes; /healthz, /readyz (each with a low throttle of its own) and CORS ' +
        'preflights are public on purpose. There are no users to authorize.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-COG4',
      'The product has no user accounts: callers are identified by API keys with a usage plan.',
    );
    acknowledge(
      this.api,
      managedPolicyFinding('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      "AWS's policy for the account-wide role that lets API Gateway write the access and execution logs.",
    );
  }
}

/** One JSON object per request, with the API key's id so that a key's use can be traced. */
function accessLogFormat(): apigw.AccessLogFormat {
  const field = apigw.AccessLogField;
  const quoted = JSON.stringify({
    requestId: field.contextRequestId(),
    requestTime: field.contextRequestTime(),
    ip: field.contextIdentitySourceIp(),
    userAgent: field.contextIdentityUserAgent(),
    apiKeyId: field.contextIdentityApiKeyId(),
    method: field.contextHttpMethod(),
    resourcePath: field.contextResourcePath(),
    status: field.contextStatus(),
    responseLength: field.contextResponseLength(),
    responseLatency: field.contextResponseLatency(),
    integrationLatency: field.contextIntegrationLatency(),
  });
  // messageString comes quoted and escaped by API Gateway: an error message may itself hold quotes.
  return apigw.AccessLogFormat.custom(`${quoted.slice(0, -1)},"error":${field.contextErrorMessageString()}}`);
}

function pascalCase(value: string): string {
  return value
    .split(/[^a-zA-Z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => `${part[0]?.toUpperCase() ?? ''}${part.slice(1)}`)
    .join('');
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { GATEWAY_RESPONSES } from '../../../functions/gateway-responses.js';
import { ROUTES, type Route } from '../../../functions/routes.js';
import { WAF_WINDOW_SECONDS } from '../../../infra/lib/api-firewall.js';
import { PUBLIC_ROUTE_THROTTLE } from '../../../infra/lib/forecast-api.js';
import { FUNCTION_CONF_DIR, functionBundling } from '../../../infra/lib/function-bundling.js';
import { folderStatements, logicalIdOf, policyStatements, synth, synthCached } from '../support.js';

type FunctionResource = { Properties: Record<string, unknown> };

/** The route table's functions (CDK's own helper functions have no MUR_CONF_DIR). */
function routeFunctions(template: Template): Record<string, FunctionResource> {
  return template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: Match.objectLike({ MUR_CONF_DIR: Match.anyValue() }) } },
  }) as Record<string, FunctionResource>;
}

/** The function of each route, found by its description (`GET /healthz`). */
function functionsByRoute(template: Template): Map<Route, FunctionResource> {
  const functions = Object.values(routeFunctions(template));
  return new Map(
    ROUTES.map((route) => {
      const description = `${route.methods.join(', ')} ${route.path}`;
      const found = functions.filter((fn) => fn.Properties['Description'] === description);
      assert.equal(found.length, 1, description);
      return [route, found[0] as FunctionResource];
    }),
  );
}

/** The logical id of a function's role. */
function roleOf(fn: FunctionResource): string {
  return (fn.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

/** The logical id of the model bucket (the versioned one). */
function modelBucketOf(template: Template): string {
  return logicalIdOf(template, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
}

/** The logical id of the API Gateway resource at `path` (`/models/reload`). */
function resourceId(template: Template, path: string): string {
  let parent: unknown = {
    'Fn::GetAtt': [logicalIdOf(template, 'AWS::ApiGateway::RestApi'), 'RootResourceId'],
  };
  let id = '';
  for (const part of path.split('/').filter((segment) => segment !== '')) {
    id = logicalIdOf(template, 'AWS::ApiGateway::Resource', { PathPart: part, ParentId: parent });
    parent = { Ref: id };
  }
  return id;
}

describe('ForecastApi: functions', () => {
  it('creates one Node.js 22 function per route, x86_64 by default', () => {
    // Arrange
    const { template } = synthCached();

    // Act
    const functions = Object.values(routeFunctions(template));

    // Assess
    assert.equal(functions.length, ROUTES.length);
    for (const fn of functions) {
      assert.equal(fn.Properties['Runtime'], 'nodejs22.x');
      assert.deepEqual(fn.Properties['Architectures'], ['x86_64']);
    }
    const descriptions = functions.map((fn) => fn.Properties['Description']).sort();
    assert.deepEqual(descriptions, ROUTES.map((route) => `${route.methods.join(', ')} ${route.path}`).sort());
  });

  it('runs on arm64 when the architecture option says so', () => {
    const { template } = synthCached({ architecture: 'arm64' });
    for (const fn of Object.values(routeFunctions(template))) {
      assert.deepEqual(fn.Properties['Architectures'], ['arm64']);
    }
  });

  it('gives every function the environment of the route table contract, the signing key only where models load', () => {
    // Arrange
    const { template } = synthCached();
    const bucket = modelBucketOf(template);
    const key = logicalIdOf(template, 'AWS::KMS::Key', { KeyUsage: 'SIGN_VERIFY' });

    // Assess
    for (const [route, fn] of functionsByRoute(template)) {
      // No setting conf/ owns: the functions read pairs, schedule, staleness and CORS origins from the
      // conf/ they bundle (MUR_ENV), the one the stack read.
      assert.deepEqual(
        fn.Properties['Environment'],
        {
          Variables: {
            MODEL_BUCKET: { Ref: bucket },
            MUR_ENV: 'base',
            MUR_CONF_DIR: FUNCTION_CONF_DIR,
            ...(route.loadsModels
              ? { MODEL_SIGNING_KEY: { 'Fn::Join': ['', ['kms:', { 'Fn::GetAtt': [key, 'Arn'] }]] } }
              : {}),
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
        route.name,
      );
    }
  });

  it('lets the model-loading functions read models and the public key, nothing else', () => {
    // Arrange
    const { template } = synthCached({}, 'storage:\n  prefix: forecast/\n');
    const bucket = modelBucketOf(template);
    const key = logicalIdOf(template, 'AWS::KMS::Key', { KeyUsage: 'SIGN_VERIFY' });
    const loading = [...functionsByRoute(template)].filter(([route]) => route.loadsModels);

    // Assess
    assert.deepEqual(loading.map(([route]) => route.name).sort(), [
      'models',
      'predict',
      'readyz',
      'reload',
      'status',
    ]);
    for (const [route, fn] of loading) {
      assert.deepEqual(
        policyStatements(template, roleOf(fn)),
        [
          ...folderStatements(bucket, 'forecast/models/', 's3:GetObject'),
          { Action: 'kms:GetPublicKey', Effect: 'Allow', Resource: { 'Fn::GetAtt': [key, 'Arn'] } },
        ],
        route.name,
      );
    }
  });

  it('lets the run-reading functions read the run records, and neither the models nor the key', () => {
    // Arrange
    const { template } = synthCached({}, 'storage:\n  prefix: forecast/\n');
    const bucket = modelBucketOf(template);
    const reading = [...functionsByRoute(template)].filter(([route]) => route.readsRuns);

    // Assess
    assert.deepEqual(reading.map(([route]) => route.name).sort(), ['heldout', 'runs']);
    for (const [route, fn] of reading) {
      assert.deepEqual(
        policyStatements(template, roleOf(fn)),
        [...folderStatements(bucket, 'forecast/runs/', 's3:GetObject')],
        route.name,
      );
      assert.equal(
        (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables[
          'MODEL_SIGNING_KEY'
        ],
        undefined,
        `${route.name} gets no signing key`,
      );
    }
  });

  it('gives healthz and openapi no S3 and no KMS access at all', () => {
    // Arrange
    const { template } = synthCached();
    const others = [...functionsByRoute(template)].filter(
      ([route]) => !route.loadsModels && !route.readsRuns,
    );

    // Assess
    assert.deepEqual(others.map(([route]) => route.name).sort(), ['healthz', 'openapi']);
    for (const [route, fn] of others) {
      assert.deepEqual(policyStatements(template, roleOf(fn)), [], `${route.name} has a policy`);
      // Only the managed policy that writes its logs.
      const role = template.toJSON()['Resources'][roleOf(fn)] as { Properties: Record<string, unknown> };
      assert.equal(JSON.stringify(role.Properties['ManagedPolicyArns']).match(/policy\//g)?.length, 1);
      assert.match(JSON.stringify(role.Properties['ManagedPolicyArns']), /AWSLambdaBasicExecutionRole/);
    }
  });

  it('reserves concurrency for predict and each public health function, and for no other', () => {
    // Arrange
    const { template } = synthCached({ predictReservedConcurrency: 25, healthReservedConcurrency: 3 });

    // Assess
    for (const [route, fn] of functionsByRoute(template)) {
      const expected = route.name === 'predict' ? 25 : route.access === 'public' ? 3 : undefined;
      assert.equal(fn.Properties['ReservedConcurrentExecutions'], expected, route.name);
    }
  });

  it('reserves 20 for predict and 2 for each health function by default, and none when set to 0', () => {
    const defaults = functionsByRoute(synthCached().template);
    for (const [route, fn] of defaults) {
      const expected = route.name === 'predict' ? 20 : route.access === 'public' ? 2 : undefined;
      assert.equal(fn.Properties['ReservedConcurrentExecutions'], expected, route.name);
    }
    const none = functionsByRoute(
      synthCached({ predictReservedConcurrency: 0, healthReservedConcurrency: 0 }).template,
    );
    for (const [route, fn] of none) {
      // 0 would mean "never run" to Lambda: no reservation is written instead.
      assert.equal(fn.Properties['ReservedConcurrentExecutions'], undefined, route.name);
    }
  });
});

describe('functionBundling', () => {
  it('bundles ESM, leaves onnxruntime-node to finish-bundle.ts with the binaries of the architecture', () => {
    // Act
    const bundling = functionBundling('arm64', '/repo');
    const after = bundling.commandHooks?.afterBundling('/repo', '/out') ?? [];

    // Assess
    assert.equal(bundling.format, OutputFormat.ESM);
    assert.deepEqual(bundling.externalModules, ['onnxruntime-node', 'undici']);
    assert.equal(bundling.metafile, true);
    assert.match(bundling.banner ?? '', /createRequire/);
    assert.equal(after.length, 1);
    assert.match(after[0] ?? '', /finish-bundle\.ts --out \/out --arch arm64 --project \/repo$/);
  });
});

describe('ForecastApi: REST API', () => {
  it('routes every method of the route table to its function, with the access the table says', () => {
    const { template } = synthCached();
    for (const route of ROUTES) {
      const resource = resourceId(template, route.path);
      // ANY sends every other method to the function, which answers 405 with Allow.
      for (const method of [...route.methods, 'ANY']) {
        template.hasResourceProperties('AWS::ApiGateway::Method', {
          ResourceId: { Ref: resource },
          HttpMethod: method,
          ApiKeyRequired: route.access === 'key',
          AuthorizationType: route.access === 'operator' ? 'AWS_IAM' : 'NONE',
          Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
        });
      }
    }
  });

  it('takes POST /models/reload only signed by a principal with the operator policy, never with a usage-plan key', () => {
    // Arrange
    const { template } = synthCached();
    const api = logicalIdOf(template, 'AWS::ApiGateway::RestApi');

    // Assess
    for (const method of ['POST', 'ANY']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        ResourceId: { Ref: resourceId(template, '/models/reload') },
        HttpMethod: method,
        AuthorizationType: 'AWS_IAM',
        ApiKeyRequired: false,
      });
    }
    const policies = Object.values(
      template.findResources('AWS::IAM::ManagedPolicy', {
        Properties: { Description: Match.stringLikeRegexp('operator routes') },
      }),
    ) as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }[];
    assert.equal(policies.length, 1);
    const [statement, ...others] = policies[0]?.Properties.PolicyDocument.Statement ?? [];
    assert.deepEqual(others, []);
    assert.equal(statement?.['Action'], 'execute-api:Invoke');
    const resource = JSON.stringify(statement?.['Resource']);
    assert.ok(resource.includes(api), 'on this API');
    assert.match(resource, /"\/v1\/POST\/models\/reload"/, 'on the reload method of stage v1 only');
  });

  it('requires an API key on /predict and not on /healthz', () => {
    const { template } = synthCached();
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      ResourceId: { Ref: resourceId(template, '/predict') },
      HttpMethod: 'GET',
      ApiKeyRequired: true,
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      ResourceId: { Ref: resourceId(template, '/healthz') },
      HttpMethod: 'GET',
      ApiKeyRequired: false,
    });
  });

  it('answers CORS preflights without a key', () => {
    const { template } = synthCached();
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      ResourceId: { Ref: resourceId(template, '/predict') },
      HttpMethod: 'OPTIONS',
      ApiKeyRequired: false,
      Integration: Match.objectLike({
        Type: 'MOCK',
        IntegrationResponses: [
          Match.objectLike({
            ResponseParameters: Match.objectLike({
              'method.response.header.Access-Control-Allow-Origin': "'*'",
            }),
          }),
        ],
      }),
    });
  });

  it('limits each key of the default tier to the monthly quota and throttle of the configuration', () => {
    // Arrange
    const { template } = synthCached({ quotaPerMonth: '500', throttleRateLimit: 2, throttleBurstLimit: 4 });
    const plan = logicalIdOf(template, 'AWS::ApiGateway::UsagePlan', {
      Description: Match.stringLikeRegexp('^Default tier'),
    });

    // Assess
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Description: Match.stringLikeRegexp('^Default tier'),
      Quota: { Limit: 500, Period: 'MONTH' },
      Throttle: { RateLimit: 2, BurstLimit: 4 },
      ApiStages: [Match.objectLike({ ApiId: { Ref: logicalIdOf(template, 'AWS::ApiGateway::RestApi') } })],
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      UsagePlanId: { Ref: plan },
      KeyId: {
        Ref: logicalIdOf(template, 'AWS::ApiGateway::ApiKey', {
          Description: Match.stringLikeRegexp('default tier'),
        }),
      },
      KeyType: 'API_KEY',
    });
  });

  it('has an operator tier with higher limits and a key of its own, output by the stack', () => {
    // Arrange
    const { template } = synthCached({
      operatorQuotaPerMonth: 50_000,
      operatorThrottleRateLimit: 30,
      operatorThrottleBurstLimit: 60,
    });
    const plan = logicalIdOf(template, 'AWS::ApiGateway::UsagePlan', {
      Description: Match.stringLikeRegexp('^Operator tier'),
    });
    const key = logicalIdOf(template, 'AWS::ApiGateway::ApiKey', {
      Description: Match.stringLikeRegexp('operator tier'),
    });

    // Assess
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 2);
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 2);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Description: Match.stringLikeRegexp('^Operator tier'),
      Quota: { Limit: 50_000, Period: 'MONTH' },
      Throttle: { RateLimit: 30, BurstLimit: 60 },
    });
    const keys = Object.values(template.findResources('AWS::ApiGateway::UsagePlanKey')).map(
      (resource) => resource['Properties'] as { UsagePlanId: { Ref: string }; KeyId: { Ref: string } },
    );
    assert.deepEqual(
      keys.filter((k) => k.KeyId.Ref === key).map((k) => k.UsagePlanId.Ref),
      [plan],
      'the operator key is in the operator plan only',
    );
    assert.deepEqual(template.findOutputs('OperatorApiKeyId')['OperatorApiKeyId']?.['Value'], { Ref: key });
    assert.deepEqual(template.findOutputs('OperatorUsagePlanId')['OperatorUsagePlanId']?.['Value'], {
      Ref: plan,
    });
  });

  it('keeps the public health routes out of both usage plans: no key, no per-method plan throttle', () => {
    const { template } = synthCached();
    for (const route of ROUTES.filter((r) => r.access === 'public')) {
      for (const method of [...route.methods, 'ANY']) {
        template.hasResourceProperties('AWS::ApiGateway::Method', {
          ResourceId: { Ref: resourceId(template, route.path) },
          HttpMethod: method,
          ApiKeyRequired: false,
        });
      }
    }
    for (const plan of Object.values(template.findResources('AWS::ApiGateway::UsagePlan'))) {
      for (const stage of plan['Properties']['ApiStages'] as Record<string, unknown>[]) {
        assert.deepEqual(stage['Throttle'] ?? {}, {}, 'no per-method throttle in a usage plan');
      }
    }
  });

  it('has the 1,000 calls a month of the original system by default', () => {
    synthCached().template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Description: Match.stringLikeRegexp('^Default tier'),
      Quota: { Limit: 1000, Period: 'MONTH' },
    });
  });

  it('serves stage v1 with JSON access logs that name the API key, and a stage-wide throttle', () => {
    const { template } = synthCached();
    const logs = Object.keys(template.findResources('AWS::Logs::LogGroup')).find((id) =>
      id.startsWith('ApiAccessLogs'),
    );
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"apiKeyId":"\\$context.identity.apiKeyId"'),
      },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          MetricsEnabled: true,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ]),
    });
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    assert.ok(logs !== undefined, 'no access log group');
    assert.ok(JSON.stringify(stage?.['Properties']['AccessLogSetting']['DestinationArn']).includes(logs));
  });

  it('gives each public route its own low throttle, below the stage-wide one', () => {
    // Arrange
    const { template } = synthCached();
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    const settings = stage?.['Properties']['MethodSettings'] as Record<string, unknown>[];

    // Assess: one setting for every method of each public route, and none for the keyed routes
    const publicPaths = ROUTES.filter((route) => route.access === 'public').map((route) => route.path);
    assert.deepEqual(publicPaths.sort(), ['/healthz', '/readyz']);
    const throttled = settings.filter((setting) => setting['ResourcePath'] !== '/*');
    assert.deepEqual(
      throttled.map((setting) => [setting['ResourcePath'], setting['HttpMethod']]).sort(),
      publicPaths.map((path) => [`/~1${path.slice(1)}`, '*']).sort(),
    );
    for (const setting of throttled) {
      assert.equal(setting['ThrottlingRateLimit'], PUBLIC_ROUTE_THROTTLE.rateLimit);
      assert.equal(setting['ThrottlingBurstLimit'], PUBLIC_ROUTE_THROTTLE.burstLimit);
      assert.ok(PUBLIC_ROUTE_THROTTLE.rateLimit < 50 && PUBLIC_ROUTE_THROTTLE.burstLimit < 100);
    }
  });

  it('answers as functions/gateway-responses.ts defines, the contract the local adapter sends too', () => {
    const { template } = synthCached();
    for (const answer of Object.values(GATEWAY_RESPONSES)) {
      const found = Object.values(
        template.findResources('AWS::ApiGateway::GatewayResponse', {
          Properties: { ResponseType: answer.type },
        }),
      ) as { Properties: Record<string, unknown> }[];
      assert.equal(found.length, 1, answer.type);
      const properties = found[0]?.Properties ?? {};
      assert.equal(properties['StatusCode'], answer.status === null ? undefined : String(answer.status));
      const body = (properties['ResponseTemplates'] as Record<string, string>)['application/json'] ?? '';
      const rendered = JSON.parse(body.replace('$context.requestId', 'req-1')) as {
        error: Record<string, string>;
      };
      assert.deepEqual(rendered, {
        error: { code: answer.code, message: answer.message, request_id: 'req-1' },
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
    });
  });
});

describe('ForecastApi: WAF', () => {
  it('has no web ACL by default, and acknowledges AwsSolutions-APIG3 with the reason', () => {
    // Arrange
    const { template, stack } = synthCached();

    // Assess
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    assert.ok(acknowledged(stack.api.api).includes('AwsSolutions-APIG3'));
  });

  it('with waf on, blocks an IP over the rate limit and associates the ACL with stage v1, unacknowledged', () => {
    // Arrange
    const { template, stack } = synth({ waf: true, wafRateLimit: 600 });
    const acl = logicalIdOf(template, 'AWS::WAFv2::WebACL');
    const stage = logicalIdOf(template, 'AWS::ApiGateway::Stage', { StageName: 'v1' });

    // Assess
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'RateLimitPerIp',
          Statement: {
            RateBasedStatement: {
              Limit: 600,
              AggregateKeyType: 'IP',
              EvaluationWindowSec: WAF_WINDOW_SECONDS,
            },
          },
          Action: { Block: { CustomResponse: Match.objectLike({ ResponseCode: 429 }) } },
        }),
      ],
    });
    const [association] = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'));
    const properties = association?.['Properties'] as Record<string, unknown>;
    assert.deepEqual(properties['WebACLArn'], { 'Fn::GetAtt': [acl, 'Arn'] });
    assert.ok(JSON.stringify(properties['ResourceArn']).includes(`{"Ref":"${stage}"}`), 'on stage v1');
    // synth() ran cdk-nag: APIG3 is satisfied, not acknowledged.
    assert.ok(!acknowledged(stack.api.api).includes('AwsSolutions-APIG3'));
  });
});

/** Rule ids acknowledged on a construct, without CDK's namespace (`Annotation::AwsSolutions-APIG3`). */
function acknowledged(construct: IConstruct): string[] {
  return construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as Record<string, unknown>))
    .map((id) => id.replace(/^\w+::/, ''));
}

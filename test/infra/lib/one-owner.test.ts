import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../../adapters/config/yaml.js';
import { modelsPrefix } from '../../../core/artifacts/layout.js';
import { schedulePeriodSeconds } from '../../../core/config/schedule.js';
import { FUNCTION_ENVIRONMENT, MODEL_LOADING_ENVIRONMENT, ROUTES } from '../../../functions/routes.js';
import { STACK_OUTPUTS } from '../../../infra/lib/stack-outputs.js';
import { synthCached } from '../support.js';

type Resource = { Properties: Record<string, unknown> };

/**
 * Pairs, schedule, staleness, CORS origins and the model prefix have one home, conf/{confEnv}: the stack
 * reads them there and gives the functions and the job no value of its own, so they read the same file
 * (bundled, or in the image). Checked for two real environments whose values differ.
 */
describe('one owner per setting: the stack follows conf/, and hands nothing conf/ owns to its code', () => {
  for (const env of ['base', 'local']) {
    const conf = loadConfig({ env, environment: {} }).config;
    const { template } = synthCached({ confEnv: env });

    it(`conf/${env}: the schedule and the pairs of the training rule`, () => {
      // One job trains every pair, reading them from conf/ (MUR_ENV): the rule names them, passes none.
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: conf.schedule.expression,
        Description: `Train every pair (${conf.pairs.join(', ')}) on ${conf.schedule.expression}`,
        Targets: [
          Match.objectLike({ BatchParameters: Match.objectLike({ ArrayProperties: Match.absent() }) }),
        ],
      });
    });

    it(`conf/${env}: one staleness alarm per pair, over stale_after_periods schedule periods`, () => {
      const alarms = Object.values(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: { MetricName: 'ModelPublished', AlarmDescription: Match.stringLikeRegexp('^No new') },
        }),
      ) as Resource[];
      const pairs = alarms.map(
        (alarm) => (alarm.Properties['Dimensions'] as { Name: string; Value: string }[])[0]?.Value,
      );
      assert.deepEqual(pairs.sort(), [...conf.pairs].sort());
      for (const alarm of alarms) {
        assert.equal(alarm.Properties['Period'], schedulePeriodSeconds(conf.schedule));
        assert.equal(alarm.Properties['EvaluationPeriods'], conf.serving.stale_after_periods);
      }
    });

    it(`conf/${env}: the CORS preflight allows the configured origins, or is absent for none`, () => {
      const options = Object.values(
        template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }),
      ) as Resource[];
      const origins = conf.serving.cors_origins;
      if (origins.length === 0) {
        assert.equal(options.length, 0);
        return;
      }
      assert.ok(options.length > 0);
      for (const method of options) {
        const text = JSON.stringify(method.Properties['Integration']);
        for (const origin of origins) assert.ok(text.includes(origin), `${origin} in ${text}`);
      }
    });

    it(`conf/${env}: the functions read models under storage.prefix, and get no conf/ value of their own`, () => {
      const functions = Object.values(
        template.findResources('AWS::Lambda::Function', {
          Properties: { Environment: { Variables: Match.objectLike({ MUR_CONF_DIR: Match.anyValue() }) } },
        }),
      ) as Resource[];
      assert.ok(functions.length > 0);
      for (const fn of functions) {
        const variables = (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
        // The variables of MODEL_LOADING_ENVIRONMENT go to the functions of routes that load models only.
        const route = ROUTES.find(
          (r) => fn.Properties['Description'] === `${r.methods.join(', ')} ${r.path}`,
        );
        assert.ok(route, `a route for ${String(fn.Properties['Description'])}`);
        const modelOnly = new Set<string>(MODEL_LOADING_ENVIRONMENT);
        assert.deepEqual(
          Object.keys(variables).sort(),
          [
            ...Object.keys(FUNCTION_ENVIRONMENT).filter((key) => route.loadsModels || !modelOnly.has(key)),
            'NODE_OPTIONS',
          ].sort(),
        );
        assert.equal(variables['MUR_ENV'], env);
      }
      const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
      assert.ok(
        policies.includes(`/${modelsPrefix(conf.storage.prefix)}*`),
        'grants under the models prefix',
      );
    });

    it(`conf/${env}: the job reads conf/${env} too, and the stack outputs its pairs`, () => {
      template.hasResourceProperties('AWS::Batch::JobDefinition', {
        ContainerProperties: Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'MUR_ENV', Value: env }]),
        }),
      });
      const outputs = template.findOutputs(STACK_OUTPUTS.pairs);
      assert.equal(Object.values(outputs)[0]?.['Value'], conf.pairs.join(','));
    });
  }
});

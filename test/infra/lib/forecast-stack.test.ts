import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Role, ManagedPolicy, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { STACK_OUTPUTS } from '../../../infra/lib/stack-outputs.js';
import { synth, synthCached } from '../support.js';

describe('ForecastStack: outputs', () => {
  it('outputs what an operator and the jobs command need', () => {
    const { template } = synthCached();
    const outputs = template.findOutputs('*');
    for (const name of Object.values(STACK_OUTPUTS)) assert.ok(name in outputs, `missing output ${name}`);
    assert.equal(outputs[STACK_OUTPUTS.pairs]?.['Value'], 'BTC/USDT,ETH/USDT,CHZ/USDT');
    assert.match(
      String(outputs[STACK_OUTPUTS.apiKeyId]?.['Description']),
      /get-api-key --api-key ID --include-value/,
    );
  });
});

describe('ForecastStack: cdk-nag AwsSolutions checks', () => {
  // synth() registers AwsSolutionsChecks: an unacknowledged error throws with the whole report.
  const variants: Record<string, [Record<string, unknown>, string | undefined]> = {
    defaults: [{}, undefined],
    'cpu, spot, arm64': [{ compute: 'cpu', spot: true, architecture: 'arm64' }, undefined],
    'deletable buckets, e-mail, prefix, one pair': [
      { retainBucket: false, alarmEmail: 'ops@example.com' },
      'pairs: [BTC/USDT]\nstorage:\n  prefix: forecast/\n',
    ],
    'WAF, interface endpoints, model operators, binding sha256, no reservations': [
      {
        waf: true,
        interfaceEndpoints: true,
        modelOperatorArns: ['arn:aws:iam::123456789012:role/Operator'],
        tfjsBindingSha256: 'ab'.repeat(32),
        predictReservedConcurrency: 0,
        healthReservedConcurrency: 0,
      },
      undefined,
    ],
  };
  for (const [name, [overrides, conf]] of Object.entries(variants)) {
    it(`finds no unacknowledged error with ${name}`, () => {
      assert.doesNotThrow(() => synth(overrides, conf));
    });
  }

  it('gives every acknowledgement a reason a reviewer can read', () => {
    // Arrange
    const { stack } = synthCached({ retainBucket: false });

    // Act
    const acknowledgements = stack.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
      )
      .flatMap((entry) => Object.entries(entry.data as Record<string, string | { reason?: string }>));

    // Assess
    assert.ok(acknowledgements.length > 10, `expected acknowledgements, found ${acknowledgements.length}`);
    for (const [id, value] of acknowledgements) {
      const reason = typeof value === 'string' ? value : (value.reason ?? '');
      assert.ok(reason.length >= 40, `${id}: "${reason}" is too short to convince a reviewer`);
    }
  });

  it('does fail synthesis on an error nobody acknowledged (the checks really run)', () => {
    // Arrange
    const app = new App({ context: { '@aws-cdk/core:appMode': 'inmemory' } });
    const stack = new Stack(app, 'Probe');
    new Role(stack, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act, Assess
    assert.throws(() => app.synth(), /AwsSolutions-IAM4/);
  });
});

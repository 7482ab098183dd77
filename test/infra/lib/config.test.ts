import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONF_OWNED_CONTEXT_KEYS,
  INFRA_CONTEXT_KEYS,
  InfraConfigError,
  readDeployment,
  readInfraConfig,
  type InfraConfig,
} from '../../../infra/lib/config.js';
import { ROOT } from '../../support/run-cli.js';
import { cdkContext } from '../support.js';

/** cdk.json's context with `overrides` over it, as `-c key=value` lays them. */
function read(overrides: Record<string, unknown> = {}): InfraConfig {
  const context = { ...cdkContext(), ...overrides };
  return readInfraConfig((key) => context[key]);
}

function badKeys(overrides: Record<string, unknown>): string[] {
  try {
    read(overrides);
  } catch (error) {
    assert.ok(error instanceof InfraConfigError, `expected InfraConfigError, got ${String(error)}`);
    return [...error.keys];
  }
  assert.fail(`expected ${JSON.stringify(overrides)} to be refused`);
}

describe('readInfraConfig', () => {
  it("reads cdk.json's defaults: conf/base, GPU training, x86_64 functions", () => {
    // Act
    const config = read();

    // Assess
    assert.equal(config.confEnv, 'base');
    assert.equal(config.compute, 'gpu');
    assert.deepEqual(config.gpuInstanceTypes, ['g4dn', 'g5']);
    assert.equal(config.spot, false);
    assert.equal(config.architecture, 'x86_64');
    assert.equal(config.quotaPerMonth, 1000);
    assert.equal(config.retainBucket, true);
    assert.equal(config.alarmEmail, '');
  });

  it('defines every key in cdk.json, so that an operator sees every setting there', () => {
    const context = cdkContext();
    assert.deepEqual(
      INFRA_CONTEXT_KEYS.filter((key) => !(key in context)),
      [],
    );
  });

  it("lists every key in docs/deploying.md's settings table, so that an operator reads what each means", () => {
    const page = readFileSync(join(ROOT, 'docs', 'deploying.md'), 'utf8');
    const table = page.slice(
      page.indexOf('## Settings'),
      page.indexOf('\n## ', page.indexOf('## Settings') + 1),
    );
    const documented = new Set(
      table
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`(\w+)`/g)].map((match) => match[1])),
    );
    assert.deepEqual(
      INFRA_CONTEXT_KEYS.filter((key) => !documented.has(key)),
      [],
    );
  });

  it('accepts the text forms that `-c key=value` gives: numbers, booleans and lists', () => {
    // Act
    const config = read({
      maxVcpus: '64',
      spot: 'true',
      retainBucket: 'false',
      gpuInstanceTypes: '["g5.xlarge","g6"]',
      throttleRateLimit: '2.5',
    });

    // Assess
    assert.equal(config.maxVcpus, 64);
    assert.equal(config.spot, true);
    assert.equal(config.retainBucket, false);
    assert.deepEqual(config.gpuInstanceTypes, ['g5.xlarge', 'g6']);
    assert.equal(config.throttleRateLimit, 2.5);
  });

  it('names every bad key, and says how to set it', () => {
    // Act
    let message = '';
    try {
      read({ maxVcpus: 'lots', compute: 'tpu', confEnv: '../etc' });
    } catch (error) {
      message = (error as Error).message;
    }

    // Assess
    assert.match(message, /maxVcpus: .*\(got "lots"\)/);
    assert.match(message, /compute: .*\(got "tpu"\)/);
    assert.match(message, /confEnv: expected the name of a folder under conf\//);
    assert.match(message, /-c key=value/);
  });

  it('names a key that cdk.json lacks', () => {
    const context: Record<string, unknown> = { ...cdkContext() };
    delete context['quotaPerMonth'];
    assert.throws(() => readInfraConfig((key) => context[key]), /quotaPerMonth: .*\(got nothing\)/);
  });

  it('refuses instance types that cannot run the training image in the chosen mode', () => {
    assert.deepEqual(badKeys({ gpuInstanceTypes: ['c6i'] }), ['gpuInstanceTypes']);
    assert.deepEqual(badKeys({ gpuInstanceTypes: ['g4ad'] }), ['gpuInstanceTypes']);
    assert.deepEqual(badKeys({ gpuInstanceTypes: ['g5g.xlarge'] }), ['gpuInstanceTypes']);
    assert.deepEqual(badKeys({ cpuInstanceTypes: ['g5'] }), ['cpuInstanceTypes']);
    assert.deepEqual(badKeys({ cpuInstanceTypes: ['c7g'] }), ['cpuInstanceTypes']);
  });

  it('refuses limits that contradict each other or exceed what the services accept', () => {
    assert.deepEqual(badKeys({ jobVcpus: 64, maxVcpus: 32 }), ['jobVcpus']);
    assert.deepEqual(badKeys({ throttleRateLimit: 15, throttleBurstLimit: 10 }), ['throttleBurstLimit']);
    assert.deepEqual(badKeys({ functionTimeoutSeconds: 60 }), ['functionTimeoutSeconds']);
    assert.deepEqual(badKeys({ logRetentionDays: 10 }), ['logRetentionDays']);
    assert.deepEqual(badKeys({ alarmEmail: 'ops' }), ['alarmEmail']);
  });

  it('refuses, in context, every setting conf/ owns, naming the conf/ key that holds it', () => {
    for (const [key, confKey] of Object.entries(CONF_OWNED_CONTEXT_KEYS)) {
      let message = '';
      try {
        read({ [key]: 'anything' });
      } catch (error) {
        assert.ok(error instanceof InfraConfigError);
        assert.deepEqual(error.keys, [key]);
        message = error.message;
      }
      assert.ok(message.includes(`set it as ${confKey} in conf/{confEnv}/parameters.yaml`), message);
    }
    // cdk.json itself sets none of them.
    assert.deepEqual(
      Object.keys(CONF_OWNED_CONTEXT_KEYS).filter((key) => key in cdkContext()),
      [],
    );
  });
});

describe('readInfraConfig: the security settings', () => {
  it('reads their defaults: WAF and interface endpoints off, reservations, no binding checksum yet', () => {
    const config = read();
    assert.equal(config.waf, false);
    assert.equal(config.interfaceEndpoints, false);
    assert.equal(config.predictReservedConcurrency, 20);
    assert.equal(config.healthReservedConcurrency, 2);
    assert.deepEqual(config.modelOperatorArns, []);
    assert.equal(config.tfjsBindingSha256, '');
    assert.ok(config.operatorQuotaPerMonth >= config.quotaPerMonth);
    assert.ok(config.operatorThrottleRateLimit >= config.throttleRateLimit);
  });

  it('refuses an operator tier below the default tier', () => {
    assert.deepEqual(badKeys({ operatorQuotaPerMonth: 999 }), ['operatorQuotaPerMonth']);
    assert.deepEqual(badKeys({ operatorThrottleRateLimit: 4 }), ['operatorThrottleRateLimit']);
    assert.deepEqual(badKeys({ operatorThrottleBurstLimit: 19 }), ['operatorThrottleBurstLimit']);
  });

  it('takes operator ARNs as a list of IAM role or user ARNs, and nothing else', () => {
    const arns =
      'arn:aws:iam::123456789012:role/Operator,arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*';
    assert.deepEqual(read({ modelOperatorArns: arns }).modelOperatorArns, arns.split(','));
    assert.deepEqual(badKeys({ modelOperatorArns: ['*'] }), ['modelOperatorArns.0']);
    assert.deepEqual(badKeys({ modelOperatorArns: ['arn:aws:sts::123456789012:assumed-role/Operator/me'] }), [
      'modelOperatorArns.0',
    ]);
  });

  it('takes a binding sha256 of 64 hex digits, or nothing', () => {
    assert.equal(read({ tfjsBindingSha256: 'a'.repeat(64) }).tfjsBindingSha256, 'a'.repeat(64));
    assert.deepEqual(badKeys({ tfjsBindingSha256: 'sha256:abc' }), ['tfjsBindingSha256']);
  });

  it("refuses a WAF limit under WAF's minimum and a negative reservation", () => {
    assert.deepEqual(badKeys({ wafRateLimit: 9 }), ['wafRateLimit']);
    assert.deepEqual(badKeys({ predictReservedConcurrency: -1 }), ['predictReservedConcurrency']);
    assert.equal(read({ waf: 'true', predictReservedConcurrency: '0' }).waf, true);
  });
});

describe('readDeployment', () => {
  /** conf/base as the repository has it, and one more environment with `yaml` over it. */
  function confDirWith(yaml: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-conf-'));
    mkdirSync(join(dir, 'base'));
    writeFileSync(
      join(dir, 'base', 'parameters.yaml'),
      readFileSync(join(ROOT, 'conf', 'base', 'parameters.yaml')),
    );
    mkdirSync(join(dir, 'ops'));
    writeFileSync(join(dir, 'ops', 'parameters.yaml'), yaml);
    return dir;
  }

  function deploymentProblems(yaml: string): string[] {
    const context: Record<string, unknown> = { ...cdkContext(), confEnv: 'ops' };
    try {
      readDeployment((key) => context[key], { confDir: confDirWith(yaml) });
    } catch (error) {
      assert.ok(error instanceof InfraConfigError, String(error));
      return [...error.keys];
    }
    return [];
  }

  it('reads what the product does from conf/{confEnv}, and ignores the shell environment', () => {
    const context: Record<string, unknown> = { ...cdkContext(), confEnv: 'ops' };
    const saved = process.env['PAIRS'];
    process.env['PAIRS'] = 'XRP/USDT';
    try {
      const { conf } = readDeployment((key) => context[key], {
        confDir: confDirWith('pairs: [SOL/USDT]\nschedule:\n  expression: rate(2 hours)\n'),
      });
      assert.deepEqual(conf.pairs, ['SOL/USDT']);
      assert.equal(conf.schedule.expression, 'rate(2 hours)');
    } finally {
      if (saved === undefined) delete process.env['PAIRS'];
      else process.env['PAIRS'] = saved;
    }
  });

  it('stops on a bad conf/ value, naming the folder and the key', () => {
    assert.deepEqual(deploymentProblems('storage:\n  prefix: no-trailing-slash\n'), [
      'conf/ops: storage.prefix',
    ]);
    assert.deepEqual(deploymentProblems("schedule:\n  expression: 'cron(5 * * * ? *)'\n"), [
      'conf/ops: schedule.period_minutes',
    ]);
  });

  it("refuses a staleness window beyond CloudWatch's alarm limit", () => {
    assert.deepEqual(deploymentProblems('schedule:\n  expression: rate(3 days)\n'), [
      'conf/ops: serving.stale_after_periods',
    ]);
    assert.deepEqual(
      deploymentProblems('schedule:\n  expression: rate(30 minutes)\nserving:\n  stale_after_periods: 60\n'),
      ['conf/ops: serving.stale_after_periods'],
    );
  });
});

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildForecastApp, cdkJsonContext } from '../../infra/lib/build.js';
import type { InfraConfig } from '../../infra/lib/config.js';
import type { ForecastStack } from '../../infra/lib/forecast-stack.js';
import type { Config } from '../../core/config/schema.js';
import { ROOT } from '../support/run-cli.js';

/** cdk.json's context: the defaults `npx cdk synth` uses, feature flags included. */
export function cdkContext(): Record<string, unknown> {
  return cdkJsonContext();
}

/** Cloud assemblies of this test file, removed when it ends. */
const outdirs: string[] = [];
process.once('exit', () => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

export interface Synthesized {
  readonly app: App;
  readonly stack: ForecastStack;
  readonly config: InfraConfig;
  /** The conf/ the stack was built from. */
  readonly conf: Config;
  readonly template: Template;
  /** The training image repository's stack, deployed before the main one. */
  readonly imageTemplate: Template;
  /** The cloud assembly folder (assets manifest, staged training image). */
  readonly outdir: string;
}

/**
 * The repository's conf/ with one more environment, `stack-test`, holding `yaml` over conf/base: a
 * deployment whose conf/ says something else than the repository's, for the stack to follow.
 */
function confDirWith(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-conf-'));
  outdirs.push(dir);
  cpSync(join(ROOT, 'conf'), dir, { recursive: true });
  mkdirSync(join(dir, 'stack-test'), { recursive: true });
  writeFileSync(join(dir, 'stack-test', 'parameters.yaml'), yaml);
  return dir;
}

/**
 * The stack as `npx cdk synth -c key=value ...` builds it: cdk.json's context with `overrides` over it,
 * cdk-nag's AWS Solutions checks on. With `conf`, a YAML text laid over conf/base as the deployment's
 * conf/ environment (pairs, schedule, staleness, CORS origins and the model prefix live there, not in
 * context). Synthesis throws, naming every finding, if any error is not acknowledged. The functions are
 * not bundled (test/infra/bundling/ does that), which keeps a synth to a second.
 */
export function synth(overrides: Record<string, unknown> = {}, conf?: string): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  outdirs.push(outdir);
  const {
    app,
    stack,
    imageStack,
    config,
    conf: loaded,
  } = buildForecastApp(
    {
      outdir,
      context: {
        ...cdkContext(),
        ...overrides,
        ...(conf === undefined ? {} : { confEnv: 'stack-test' }),
        // In-memory mode: a validation failure throws with the whole report in its message.
        '@aws-cdk/core:appMode': 'inmemory',
        'aws:cdk:enable-asset-metadata': true,
        'aws:cdk:bundling-stacks': [],
      },
    },
    conf === undefined ? {} : { confDir: confDirWith(conf) },
  );
  const template = Template.fromStack(stack);
  const imageTemplate = Template.fromStack(imageStack);
  return { app, stack, config, conf: loaded, template, imageTemplate, outdir };
}

/** Synthesized stacks by their overrides, so that each variant is built once per test file. */
const cache = new Map<string, Synthesized>();

export function synthCached(overrides: Record<string, unknown> = {}, conf?: string): Synthesized {
  const key = JSON.stringify([overrides, conf ?? null]);
  let synthesized = cache.get(key);
  if (synthesized === undefined) {
    synthesized = synth(overrides, conf);
    cache.set(key, synthesized);
  }
  return synthesized;
}

/** The logical id of the only resource of `type` whose properties match `props`. */
export function logicalIdOf(template: Template, type: string, props: Record<string, unknown> = {}): string {
  const found = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  assert.equal(found.length, 1, `expected one ${type} like ${JSON.stringify(props)}, found ${found.length}`);
  return found[0] as string;
}

/** Statements of every IAM policy attached to the role `roleLogicalId`. */
export function policyStatements(template: Template, roleLogicalId: string): Record<string, unknown>[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties
        .PolicyDocument.Statement,
  );
}

/** `Fn::GetAtt [LogicalId, Arn]` joined with a suffix, as CDK renders `arnForObjects`. */
export function arnWithSuffix(logicalId: string, suffix: string): unknown {
  return { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, suffix]] };
}

/**
 * The two policy statements CDK renders for a grant of `actions` on the objects under `folder` of
 * `bucket` (`forecast/models/`): the actions on those objects, and listing that folder and no other.
 */
export function folderStatements(
  bucket: string,
  folder: string,
  actions: string | readonly string[],
): Record<string, unknown>[] {
  return [
    { Action: actions, Effect: 'Allow', Resource: arnWithSuffix(bucket, `/${folder}*`) },
    {
      Action: 's3:ListBucket',
      Condition: { StringLikeIfExists: { 's3:prefix': [`${folder}*`] } },
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
    },
  ];
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, DefaultStackSynthesizer, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Config } from '../../core/config/schema.js';
import { readDeployment, type InfraConfig } from './config.js';
import { ForecastStack } from './forecast-stack.js';
import { REPO_ROOT } from './paths.js';
import { TrainingImageStack, trainingRepositoryName } from './training-image-stack.js';

/** Training images kept in their repository (a rollback of the stack can use the previous ones). */
export const TRAINING_IMAGES_KEPT = 10;

export interface ForecastApp {
  readonly app: App;
  readonly stack: ForecastStack;
  /** The training image's repository, deployed before the stack that pushes to it. */
  readonly imageStack: TrainingImageStack;
  readonly config: InfraConfig;
  /** conf/{confEnv}: what the product does, read from the one place the functions and the job read it. */
  readonly conf: Config;
}

/**
 * The app as `npx cdk synth` builds it: the configuration read from the app's context, the stack, and
 * cdk-nag's AWS Solutions checks (an unacknowledged error fails synthesis). Throws InfraConfigError
 * naming every bad context key.
 */
export function buildForecastApp(
  props: AppProps = {},
  options: { readonly confDir?: string } = {},
): ForecastApp {
  const app = new App(props);
  // options.confDir is for tests of the stack alone: the functions bundle the repository's conf/.
  const { infra: config, conf } = readDeployment((key) => app.node.tryGetContext(key), options);
  // Environment-agnostic on purpose: synth needs no account, no region and no lookups; deploy takes both
  // from the CLI's credentials.
  const imageRepositoryName = trainingRepositoryName(config.stackName);
  const imageStack = new TrainingImageStack(app, `${config.stackName}Images`, {
    repositoryName: imageRepositoryName,
    qualifier:
      (app.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ??
      DefaultStackSynthesizer.DEFAULT_QUALIFIER,
    keepImages: TRAINING_IMAGES_KEPT,
  });
  const stack = new ForecastStack(app, config.stackName, {
    config,
    conf,
    imageRepositoryName,
    // Image assets (the training image) go to that repository rather than the bootstrap one.
    synthesizer: new DefaultStackSynthesizer({ imageAssetsRepositoryName: imageRepositoryName }),
  });
  stack.addStackDependency(
    imageStack,
    'the training image is pushed to its repository before the stack deploys',
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, imageStack, config, conf };
}

/** cdk.json's "context": what the CLI gives the app; in-process apps (tests, scripts) read it here. */
export function cdkJsonContext(projectDir: string = REPO_ROOT): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(projectDir, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

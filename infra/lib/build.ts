import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Config } from '../../core/config/schema.js';
import { readDeployment, type InfraConfig } from './config.js';
import { ForecastStack } from './forecast-stack.js';
import { REPO_ROOT } from './paths.js';

export interface ForecastApp {
  readonly app: App;
  readonly stack: ForecastStack;
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
  const stack = new ForecastStack(app, config.stackName, { config, conf });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config, conf };
}

/** cdk.json's "context": what the CLI gives the app; in-process apps (tests, scripts) read it here. */
export function cdkJsonContext(projectDir: string = REPO_ROOT): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(projectDir, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

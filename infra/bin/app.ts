#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth | deploy` (cdk.json runs it). Reads the infra configuration from context
 * (cdk.json's defaults, `-c key=value` overrides), creates the stack and runs cdk-nag's AWS Solutions
 * checks on it: an unacknowledged error stops synth.
 */
import { InfraConfigError } from '../lib/config.js';
import { buildForecastApp } from '../lib/build.js';

try {
  buildForecastApp().app.synth();
} catch (error) {
  if (!(error instanceof InfraConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}

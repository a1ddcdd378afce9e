import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ModosStack } from './modos-stack.js';
import { stageConfigFromContext, type StageConfig } from './stage-config.js';

/** The repository root (this file lives in lib/). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ModosApp {
  app: App;
  stack: ModosStack;
  config: StageConfig;
}

/**
 * Builds the CDK app: one `Modos-<stage>` stack from the stage's context, with cdk-nag's AWS
 * Solutions pack registered as a synthesis validation plugin (cdk-nag 3: Validations, not Aspects).
 * Synthesis fails on any unacknowledged error-level finding; every acknowledgement sits next to the
 * construct it concerns, with its reason. bin/modos.ts and the infra tests both call this.
 */
export function createModosApp(props: AppProps = {}): ModosApp {
  const app = new App(props);
  const config = stageConfigFromContext((key) => app.node.tryGetContext(key));
  const stack = new ModosStack(app, config.stackName, { config, projectRoot: PROJECT_ROOT });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { app, stack, config };
}

/**
 * The `context` block of cdk.json (feature flags). The CDK CLI passes it to the app; an App built
 * in-process (tests, scripts) gets it from here so it synthesizes exactly what `cdk synth` does.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const raw = readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8');
  return (JSON.parse(raw) as { context?: Record<string, unknown> }).context ?? {};
}

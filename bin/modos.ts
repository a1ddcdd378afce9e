#!/usr/bin/env node
/**
 * CDK entry point (cdk.json: `npx tsx bin/modos.ts`).
 *   npx cdk synth  -c stage=<name>
 *   npx cdk deploy -c stage=<name> -c jwtIssuer=<url> -c jwksUrl=<url> [-c jwtAudience=<aud>] [-c publicApiUrl=<custom domain URL>]
 * Context settings and their defaults: lib/stage-config.ts; how to deploy: docs/deploy.md.
 */
import { createModosApp } from '../lib/app.js';
import { StageConfigError } from '../lib/stage-config.js';

try {
  createModosApp().app.synth();
} catch (error) {
  if (error instanceof StageConfigError) {
    console.error(`modos: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

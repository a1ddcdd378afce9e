import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { cdkJsonContext, createModosApp, type ModosApp } from '../../../lib/app.js';

/** Synthesizing bundles every function with esbuild: do it once per test file, in beforeAll. */
export const SYNTH_TIMEOUT_MS = 180_000;

export const IDP = {
  jwtIssuer: 'https://idp.example.com/tenants/acme/',
  jwtAudience: 'modos-acme',
  jwksUrl: 'https://idp.example.com/tenants/acme/.well-known/jwks.json',
} as const;

export interface SynthesizedStage extends ModosApp {
  template: Template;
  /** The raw template JSON. */
  json: { Resources: Record<string, CfnResourceJson>; Outputs?: Record<string, { Value: unknown }> };
  /** cdk.out's validation-report.json (cdk-nag and the other validation plugins). */
  validationReport: { pluginReports: Array<{ pluginName?: string; summary?: { pluginName?: string }; conclusion?: string; violations?: unknown[] }> };
  logicalId: (construct: IConstruct) => string;
  /** The cloud assembly directory (cdk.out equivalent) holding templates and bundled assets. */
  assemblyDir: string;
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string[] | string;
}

/** Synthesizes one stage exactly as `cdk synth` would (cdk.json feature flags + the given context). */
export function synthStage(context: Record<string, unknown> = {}): SynthesizedStage {
  // Asset metadata on, as the CLI sets it: resources then name their bundled asset folder.
  const modos = createModosApp({ context: { ...cdkJsonContext(), 'aws:cdk:enable-asset-metadata': true, stage: 'acme-test', ...IDP, ...context } });
  const assembly = modos.app.synth();
  const template = Template.fromStack(modos.stack);
  const reportFile = path.join(assembly.directory, 'validation-report.json');
  const validationReport = JSON.parse(readFileSync(reportFile, 'utf8'));
  return {
    ...modos,
    template,
    json: template.toJSON() as SynthesizedStage['json'],
    validationReport,
    assemblyDir: assembly.directory,
    logicalId: (construct) => {
      const element = (construct.node.defaultChild ?? construct) as CfnElement;
      return Stack.of(construct).resolve(element.logicalId) as string;
    },
  };
}

export function resourcesOfType(json: SynthesizedStage['json'], type: string): Array<[string, CfnResourceJson]> {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

/** Every logical id referenced by Ref or Fn::GetAtt anywhere inside a value (pseudo parameters left out). */
export function referencedIds(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.Ref === 'string' && !o.Ref.startsWith('AWS::')) out.push(o.Ref);
      const getAtt = o['Fn::GetAtt'];
      if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') out.push(getAtt[0]);
      Object.values(o).forEach(walk);
    }
  };
  walk(value);
  return out;
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

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
  validationReport: {
    pluginReports: Array<{
      pluginName?: string;
      summary?: { pluginName?: string };
      conclusion?: string;
      violations?: unknown[];
    }>;
  };
  logicalId: (construct: IConstruct) => string;
  /** The cloud assembly directory (cdk.out equivalent) holding templates and bundled assets. */
  assemblyDir: string;
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string[] | string;
}

export interface SynthOptions {
  /**
   * Run esbuild for every function (about half of a synthesis). Only tests that look at the bundles
   * need it; without it the template is the same but for the asset hashes (CDK's own
   * `aws:cdk:bundling-stacks` context, which `cdk synth --exclusively` uses too).
   */
  bundle?: boolean;
}

/** Synthesizes one stage as `cdk synth` would (cdk.json feature flags + the given context). */
export function synthStage(context: Record<string, unknown> = {}, options: SynthOptions = {}): SynthesizedStage {
  const modos = createModosApp({
    context: {
      ...cdkJsonContext(),
      // Asset metadata on, as the CLI sets it: resources then name their bundled asset folder.
      'aws:cdk:enable-asset-metadata': true,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      stage: 'acme-test',
      tenants: 'acme,globex',
      ...IDP,
      ...context,
    },
  });
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
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
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

export interface PolicyStatementJson {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of every AWS::IAM::Policy attached to the role with this logical id, plus its inline policies. */
export function statementsOfRole(json: SynthesizedStage['json'], roleId: string): PolicyStatementJson[] {
  const attached = resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, p]) => referencedIds(p.Properties!.Roles).includes(roleId))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as PolicyStatementJson[]);
  const inline = (
    (json.Resources[roleId]?.Properties?.Policies ?? []) as Array<{
      PolicyDocument: { Statement: PolicyStatementJson[] };
    }>
  ).flatMap((p) => p.PolicyDocument.Statement);
  return [...attached, ...inline];
}

/** Logical ids a resource depends on: Ref, Fn::GetAtt, `${Id}` / `${Id.Attr}` inside Fn::Sub, DependsOn. */
export function dependenciesOf(json: SynthesizedStage['json'], id: string): string[] {
  const r = json.Resources[id]!;
  const out = new Set<string>([...referencedIds(r.Properties ?? {}), ...asArray(r.DependsOn)]);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (v && typeof v === 'object') {
      const sub = (v as Record<string, unknown>)['Fn::Sub'];
      const text =
        typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
      if (text) for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g)) out.add(m[1]!);
      Object.values(v).forEach(walk);
    }
  };
  walk(r.Properties ?? {});
  return [...out].filter((x) => x in json.Resources);
}

/** A dependency cycle between resources (CloudFormation refuses such a template), or undefined. */
export function findDependencyCycle(json: SynthesizedStage['json']): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): string[] | undefined => {
    state.set(id, 'visiting');
    for (const dep of dependenciesOf(json, id)) {
      if (state.get(dep) === 'visiting') {
        const path = [...trail, id];
        return [...path.slice(path.indexOf(dep)), dep];
      }
      if (!state.has(dep)) {
        const cycle = visit(dep, [...trail, id]);
        if (cycle) return cycle;
      }
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of Object.keys(json.Resources)) {
    if (state.has(id)) continue;
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}

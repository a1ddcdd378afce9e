import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { NestedStack, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { cdkJsonContext, createModosApp, type ModosApp } from '../../../lib/app.js';

/**
 * Synthesizing bundles every function with esbuild: do it once per test file, in beforeAll. The bundling synthesis
 * is about two minutes of CPU, and shares the machine's cores with the other test files running beside it.
 */
export const SYNTH_TIMEOUT_MS = 300_000;

export const IDP = {
  jwtIssuer: 'https://idp.example.com/tenants/acme/',
  jwtAudience: 'modos-acme',
  jwksUrl: 'https://idp.example.com/tenants/acme/.well-known/jwks.json',
} as const;

/** One CloudFormation template as synthesized. */
export interface TemplateJson {
  Resources: Record<string, CfnResourceJson>;
  Parameters?: Record<string, { Type: string }>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** One stack of the cloud assembly: the stage's stack or one of its nested stacks, with its own template. */
export interface AssemblyStack {
  stack: Stack;
  /** Construct path (the stage stack's, or the nested stack's inside it). */
  path: string;
  json: TemplateJson;
  /** Bytes of the template file as written to the assembly (what CloudFormation's size limit counts). */
  templateBytes: number;
}

export interface SynthesizedStage extends ModosApp {
  /** Assertions over `json`, the stage as deployed (nested stacks included). */
  template: Template;
  /**
   * The stage as deployed: the resources of the stack and of its nested stacks in one template, each nested
   * template's parameters replaced by the values its parent passes, and `Outputs.X` of a nested stack by the
   * output's value. A check written against it holds wherever a resource lives. `Outputs` are the stack's own.
   */
  json: TemplateJson;
  /** The stack and each nested stack, parents before children, each with its own template. */
  stacks: AssemblyStack[];
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

/**
 * Synthesis is synchronous and, with bundling, takes up to a minute on a loaded machine. The test runner reports
 * progress to its main process just before a hook or test starts, over an RPC whose reply must be read within 60 s:
 * code that blocks from its first instant leaves that reply unread until the timer has fired, and the run fails with
 * "Timeout calling onTaskUpdate" although every test passed. Yielding first lets the reply in: `await settleRunner()`
 * before a long synchronous step.
 */
export const settleRunner = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 250));

/** Synthesizes one stage as `cdk synth` would (cdk.json feature flags + the given context). */
export function synthStage(context: Record<string, unknown> = {}, options: SynthOptions = {}): SynthesizedStage {
  const stage: Record<string, unknown> = { stage: 'acme-test', tenants: 'acme,globex', ...IDP, ...context };
  const modos = createModosApp({
    context: {
      ...cdkJsonContext(),
      // Asset metadata on, as the CLI sets it: resources then name their bundled asset folder.
      'aws:cdk:enable-asset-metadata': true,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      // The console sends its ID token, whose aud is its client id: the stage's audience (none on dev without an
      // identity provider, which then gets the placeholder client).
      consoleClientId: stage.jwtAudience,
      ...stage,
    },
  });
  const assembly = modos.app.synth();
  const stacks = assemblyStacks(modos.stack, assembly.directory);
  const json = deployedView(stacks);
  const reportFile = path.join(assembly.directory, 'validation-report.json');
  const validationReport = JSON.parse(readFileSync(reportFile, 'utf8'));
  return {
    ...modos,
    template: Template.fromJSON(json as unknown as Record<string, unknown>),
    json,
    stacks,
    validationReport,
    assemblyDir: assembly.directory,
    logicalId: (construct) => {
      const element = (construct.node.defaultChild ?? construct) as CfnElement;
      return Stack.of(construct).resolve(element.logicalId) as string;
    },
  };
}

/** The stack and its nested stacks (any depth), parents first, with the templates the assembly holds. */
export function assemblyStacks(root: Stack, assemblyDir: string): AssemblyStack[] {
  const stacks = [root, ...root.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c))];
  return stacks.map((stack) => {
    const text = readFileSync(path.join(assemblyDir, stack.templateFile), 'utf8');
    return {
      stack,
      path: stack.node.path,
      json: JSON.parse(text) as TemplateJson,
      templateBytes: Buffer.byteLength(text),
    };
  });
}

/** Replaces every `{ Ref: <key> }` of `values` inside `v`, and every `Fn::GetAtt` that `outputs` names. */
function substitute(v: unknown, values: Record<string, unknown>, outputs: Record<string, unknown> = {}): unknown {
  if (Array.isArray(v)) return v.map((x) => substitute(x, values, outputs));
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (typeof o.Ref === 'string' && Object.keys(o).length === 1 && o.Ref in values) return values[o.Ref];
  const getAtt = o['Fn::GetAtt'];
  if (Array.isArray(getAtt) && Object.keys(o).length === 1) {
    const key = `${getAtt[0]}.${getAtt[1]}`;
    if (key in outputs) return outputs[key];
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, substitute(x, values, outputs)]));
}

/** See SynthesizedStage.json. Fails on a logical id present in two templates (the view would be ambiguous). */
export function deployedView(stacks: AssemblyStack[]): TemplateJson {
  const [root, ...nested] = stacks;
  if (!root) throw new Error('no stack');
  const resources: Record<string, CfnResourceJson> = { ...root.json.Resources };
  /** `<nested stack resource id>.Outputs.<name>` → the output's value, for the parents' GetAtts. */
  const outputs: Record<string, unknown> = {};
  for (const child of nested) {
    const parent = (child.stack as NestedStack).nestedStackResource!;
    const parentId = Stack.of(parent).resolve(parent.logicalId) as string;
    const passed = (resources[parentId]?.Properties?.Parameters ?? {}) as Record<string, unknown>;
    const declared = Object.keys(child.json.Parameters ?? {});
    const missing = declared.filter((p) => !(p in passed));
    if (missing.length) throw new Error(`${child.path}: parameters ${missing.join(', ')} not passed by its parent`);
    for (const [id, r] of Object.entries(child.json.Resources)) {
      if (id in resources) throw new Error(`logical id ${id} is in two templates (${child.path})`);
      resources[id] = substitute(r, passed) as CfnResourceJson;
    }
    for (const [name, o] of Object.entries(child.json.Outputs ?? {}))
      outputs[`${parentId}.Outputs.${name}`] = substitute(o.Value, passed);
  }
  return {
    Resources: substitute(resources, {}, outputs) as Record<string, CfnResourceJson>,
    ...(root.json.Outputs ? { Outputs: substitute(root.json.Outputs, {}, outputs) as TemplateJson['Outputs'] } : {}),
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

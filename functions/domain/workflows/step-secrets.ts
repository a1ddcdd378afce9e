import type * as z from 'zod';
import type { WorkflowStep, WorkflowStepView } from '../../../schemas/workflow.js';
import { isDomainError, TransientError, type ErrorDetail } from '../errors.js';
import type { SecretBox } from '../ports.js';
import type { ToolRegistry } from '../tools/registry.js';
import { ToolFailedError } from './errors.js';
import type { StoredStep } from './ports.js';

/**
 * Secret inputs of steps (a tool's `secretInputs`, e.g. http.webhook's signing secret): sealed with the
 * tenant's key when a definition is stored, left out of every API response, opened only by the step that
 * uses them. They are sealed like the workflow-level webhook secret (the same SecretBox, AES-256-GCM with
 * the tenant bound), so a definition, a run snapshot or a backup of the table holds no secret in clear.
 */

/** Input names a step keeps secret: its tool's, and any it has sealed values for (a tool may have changed). */
export function secretNamesOf(step: StoredStep, tools: ToolRegistry): string[] {
  return [...new Set([...(tools.get(step.tool)?.secretInputs ?? []), ...Object.keys(step.sealed ?? {})])];
}

/** The step of the previous version that a new step takes a secret over from: same id, same tool. */
const previousOf = (step: WorkflowStep, previous: readonly StoredStep[]) =>
  previous.find((p) => p.id === step.id && p.tool === step.tool);

/** Whether the previous version holds a value for the input: sealed, or in clear from before sealing. */
const hasPrevious = (prev: StoredStep | undefined, name: string) =>
  prev?.sealed?.[name] !== undefined || typeof prev?.input[name] === 'string';

/**
 * Problems with the secret inputs of a definition's steps: each is a literal string that its tool's schema
 * accepts, or is omitted on a change that keeps the previous version's value. A reference is refused,
 * because the value it resolves to would be recorded with the run. Messages never hold the value.
 */
export function secretInputProblems(
  steps: readonly WorkflowStep[],
  tools: ToolRegistry,
  previous: readonly StoredStep[] = [],
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  steps.forEach((step, i) => {
    const tool = tools.get(step.tool);
    for (const name of tool?.secretInputs ?? []) {
      const field = `steps.${i}.input.${name}`;
      const value = step.input[name];
      if (value === undefined) {
        if (!hasPrevious(previousOf(step, previous), name))
          problems.push({ field, message: `${tool!.name} needs its secret ${name}` });
        continue;
      }
      if (typeof value !== 'string' || value.startsWith('$.') || value.startsWith('$$.')) {
        problems.push({
          field,
          message: 'a secret is given as a literal string, not a reference (its value would be recorded with the run)',
        });
        continue;
      }
      const schema = (tool!.input as unknown as { shape?: Record<string, z.ZodType> }).shape?.[name];
      const parsed = schema?.safeParse(value);
      if (parsed && !parsed.success)
        problems.push({ field, message: parsed.error.issues.map((issue) => issue.message).join('; ') });
    }
  });
  return problems;
}

/**
 * The steps as stored: each secret input given in clear is sealed and moved out of `input` into `sealed`;
 * one omitted keeps the previous version's value (sealing it now if it was stored in clear before).
 */
export async function sealStepSecrets(
  tenantId: string,
  steps: readonly WorkflowStep[],
  deps: { tools: ToolRegistry; secrets: SecretBox },
  previous: readonly StoredStep[] = [],
): Promise<StoredStep[]> {
  return Promise.all(
    steps.map(async (step): Promise<StoredStep> => {
      const names = deps.tools.get(step.tool)?.secretInputs ?? [];
      if (!names.length) return step;
      const input = { ...step.input };
      const sealed: Record<string, string> = {};
      const prev = previousOf(step, previous);
      for (const name of names) {
        const given = input[name];
        delete input[name];
        if (typeof given === 'string') sealed[name] = await deps.secrets.seal(tenantId, given);
        else if (prev?.sealed?.[name] !== undefined) sealed[name] = prev.sealed[name];
        else if (typeof prev?.input[name] === 'string')
          sealed[name] = await deps.secrets.seal(tenantId, prev.input[name]);
      }
      return { ...step, input, ...(Object.keys(sealed).length ? { sealed } : {}) };
    }),
  );
}

/** A stored step as the API returns it: no secret values, sealed or not; `secretInputs` names those set. */
export function publicStep(step: StoredStep, tools: ToolRegistry): WorkflowStepView {
  const { sealed, ...rest } = step;
  const names = secretNamesOf(step, tools);
  if (!names.length) return rest;
  const set = names.filter((n) => sealed?.[n] !== undefined || rest.input[n] !== undefined);
  const input = Object.fromEntries(Object.entries(rest.input).filter(([k]) => !names.includes(k)));
  return { ...rest, input, ...(set.length ? { secretInputs: set } : {}) };
}

/**
 * Opens a step's sealed inputs for the run of the step. A value that does not open (tampered, or sealed for
 * another tenant) fails the step for good; the platform key being unavailable is retried.
 */
export async function openStepSecrets(
  tenantId: string,
  step: StoredStep,
  secrets: SecretBox | undefined,
): Promise<Record<string, string>> {
  const entries = Object.entries(step.sealed ?? {});
  if (!entries.length) return {};
  if (!secrets) throw new ToolFailedError(`step ${step.id} has sealed inputs but this task cannot open secrets`);
  const opened: Record<string, string> = {};
  for (const [name, value] of entries) {
    try {
      opened[name] = await secrets.open(tenantId, value);
    } catch (error) {
      if (isDomainError(error))
        throw new ToolFailedError(`step ${step.id}: the sealed ${name} does not open for this tenant`, {
          cause: error,
        });
      throw new TransientError(`step ${step.id}: the platform key is not available`, { cause: error });
    }
  }
  return opened;
}

/** A step's input without its secret values: what the run records (and compensation later receives). */
export function withoutSecrets(
  input: Record<string, unknown>,
  step: StoredStep,
  tools: ToolRegistry,
): Record<string, unknown> {
  const names = secretNamesOf(step, tools);
  return names.length ? Object.fromEntries(Object.entries(input).filter(([k]) => !names.includes(k))) : input;
}

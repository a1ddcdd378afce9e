import { MAX_APPROVAL_INPUT_BYTES, SECRET_PLACEHOLDER, type ApprovalAction } from '../../../schemas/workflow.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { RunState, StoredStep } from './ports.js';
import { resolveInput } from './references.js';
import { outputsOf } from './runs/step-engine.js';
import { secretNamesOf } from './step-secrets.js';

/**
 * What approving a workflow step does, carried by its approval so that a reader who may not read runs or
 * definitions (the approver role) sees it: the step's tool, its registry description and the input it will run
 * with. The references of the input are resolved on the run as the gate finds it: the steps before a gate have all
 * finished and the run input does not change, so this is the input the step runs with once approved. A reference
 * that does not resolve (the step will fail when it runs) leaves the template as written, with the reason.
 *
 * A secret input (its tool's `secretInputs`, or a value the step has sealed) is carried as "[secret]" when the step
 * sets it, whether sealed or, in a definition stored before sealing, in clear; its value never reaches the approval.
 */
export function stepActionOf(run: RunState, step: StoredStep, tools: ToolRegistry): ApprovalAction {
  let input: Record<string, unknown>;
  let unresolved: string | undefined;
  try {
    input = resolveInput(step.input, { input: run.input, outputs: outputsOf(run) });
  } catch (error) {
    input = step.input;
    unresolved = (error as Error).message;
  }
  for (const name of secretNamesOf(step, tools)) {
    if (step.sealed?.[name] !== undefined || step.input[name] !== undefined)
      input = { ...input, [name]: SECRET_PLACEHOLDER };
  }
  const description = tools.get(step.tool)?.description;
  return {
    tool: step.tool,
    input: boundedInput(input),
    ...(unresolved !== undefined ? { unresolved } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}

/** An input as an approval carries it: its JSON when at most MAX_APPROVAL_INPUT_BYTES, else only that JSON's size. */
export function boundedInput(input: Record<string, unknown>): NonNullable<ApprovalAction['input']> {
  const bytes = Buffer.byteLength(JSON.stringify(input));
  return bytes > MAX_APPROVAL_INPUT_BYTES ? { truncated: true, bytes } : input;
}

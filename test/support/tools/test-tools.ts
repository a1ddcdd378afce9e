/**
 * Tools for tests of the engine, never part of a deployment: functions/ cannot import test/ (a layer rule),
 * and the platform's registry holds only the built-in tools. Unit tests build registries with these;
 * integration tests run the built-in tools against local receivers instead.
 */
import * as z from 'zod';
import { BUILTIN_TOOLS } from '../../../functions/domain/tools/builtin.js';
import { ToolRegistry } from '../../../functions/domain/tools/registry.js';
import type { Tool, ToolContext } from '../../../functions/domain/tools/tool.js';
import { TransientError } from '../../../functions/domain/errors.js';
import { ToolFailedError, ToolRetryableError } from '../../../functions/domain/workflows/errors.js';

const Json = z.record(z.string(), z.unknown());

/** Returns its input; records the context of every call so a test can see who a step acted as. */
export function anEchoTool(
  name = 'test.echo',
): Tool<Record<string, unknown>, Record<string, unknown>> & { calls: ToolContext[] } {
  const calls: ToolContext[] = [];
  return {
    name,
    description: 'Returns its input unchanged (tests).',
    input: Json,
    output: Json,
    automatable: true,
    requiresApproval: false,
    calls,
    execute: async (input, ctx) => {
      calls.push(structuredClone(ctx));
      return input;
    },
  };
}

const FailInput = z.strictObject({
  kind: z.enum(['retryable', 'permanent']).default('permanent'),
  /** Fail only the first N attempts of the step, then succeed (default: always fail). */
  attempts: z.number().int().min(1).max(100).optional(),
});

/** Fails with a retryable or permanent error, optionally only its first N attempts (tests of retries and redrive). */
export const failTool: Tool<z.infer<typeof FailInput>, { attempt: number }> = {
  name: 'test.fail',
  description: 'Fails on purpose (tests).',
  input: FailInput,
  output: z.object({ attempt: z.number().int() }),
  automatable: true,
  requiresApproval: false,
  async execute(input, ctx) {
    if (input.attempts === undefined || ctx.attempt <= input.attempts) {
      throw input.kind === 'retryable'
        ? new ToolRetryableError('failure requested')
        : new ToolFailedError('failure requested');
    }
    return { attempt: ctx.attempt };
  },
};

/** One call of an undoable tool, in the order calls happened across every tool sharing the journal. */
export interface ToolCall {
  op: 'execute' | 'compensate';
  tool: string;
  stepId: string;
  input: unknown;
  output?: unknown;
  ctx: ToolContext;
}

/**
 * A tool whose every execution and compensation is appended to `journal` (shared between tools, so a test
 * sees the order across steps). Its output names the step and effect key it ran with. `compensation` says
 * how undoing ends: it succeeds, fails for good (ToolFailedError), fails transiently (TransientError), or the
 * tool has no `compensate` at all.
 */
export function anUndoableTool(
  name: string,
  journal: ToolCall[],
  compensation: 'succeeds' | 'fails' | 'transient' | 'none' = 'succeeds',
): Tool<Record<string, unknown>, Record<string, unknown>> {
  const tool: Tool<Record<string, unknown>, Record<string, unknown>> = {
    name,
    description: 'Records what it does and undoes (tests).',
    input: Json,
    output: Json,
    automatable: true,
    requiresApproval: false,
    execute: async (input, ctx) => {
      journal.push({
        op: 'execute',
        tool: name,
        stepId: ctx.stepId,
        input: structuredClone(input),
        ctx: structuredClone(ctx),
      });
      return { did: ctx.stepId, effectKey: ctx.effectKey };
    },
  };
  if (compensation === 'none') return tool;
  tool.compensate = async (input, output, ctx) => {
    journal.push({
      op: 'compensate',
      tool: name,
      stepId: ctx.stepId,
      input: structuredClone(input),
      output: structuredClone(output),
      ctx: structuredClone(ctx),
    });
    if (compensation === 'fails') throw new ToolFailedError(`cannot undo ${ctx.stepId}`);
    if (compensation === 'transient') throw new TransientError(`undo of ${ctx.stepId} unavailable`);
  };
  return tool;
}

/** A registry of the built-in tools plus the given test tools. */
export const aTestRegistry = (...extra: Tool[]) => new ToolRegistry([...BUILTIN_TOOLS, ...extra]);

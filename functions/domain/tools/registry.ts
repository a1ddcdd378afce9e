import * as z from 'zod';
import { requirePermission } from '../auth/authorize.js';
import type { RequestContext } from '../ports.js';
import type { Tool } from './tool.js';

/**
 * The tools a deployment offers. It holds exactly the list it is built with: the composition root passes
 * the built-in tools (builtin.ts), tests build registries of their own, so no tool made for testing can
 * reach a tenant through a default.
 */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: readonly Tool[]) {
    for (const t of tools) {
      if (this.tools.has(t.name)) throw new Error(`tool ${t.name} registered twice`);
      this.tools.set(t.name, t);
    }
  }

  get(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  all(): Tool[] {
    return [...this.tools.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** GET /tools: each tool with its JSON Schemas (generated from its zod schemas). */
export function listTools(ctx: RequestContext, registry: ToolRegistry) {
  requirePermission(ctx.principal, 'tools:read');
  return {
    items: registry.all().map((t) => ({
      name: t.name,
      description: t.description,
      automatable: t.automatable,
      requiresApproval: t.requiresApproval,
      compensatable: typeof t.compensate === 'function',
      secretInputs: [...(t.secretInputs ?? [])],
      inputSchema: z.toJSONSchema(t.input, { io: 'input', unrepresentable: 'any' }),
      outputSchema: z.toJSONSchema(t.output, { unrepresentable: 'any' }),
    })),
  };
}

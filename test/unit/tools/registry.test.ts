import { describe, expect, it } from 'vitest';
import { BUILTIN_TOOLS } from '../../../functions/domain/tools/builtin.js';
import { listTools, ToolRegistry } from '../../../functions/domain/tools/registry.js';
import { toolRegistry } from '../../../functions/platform/workflow-composition.js';
import { aContext } from '../../support/builders.js';
import { anEchoTool, failTool } from '../../support/tools/test-tools.js';

describe('the production tool registry', () => {
  it('holds exactly the built-in tools: no tool made for tests, by their names now or before', () => {
    const names = toolRegistry()
      .all()
      .map((t) => t.name);
    expect(names).toEqual(['entity.update', 'http.webhook']);
    for (const testTool of [anEchoTool().name, failTool.name, 'core.echo', 'core.fail'])
      expect(names).not.toContain(testTool);
    expect(toolRegistry().all()).toEqual([...BUILTIN_TOOLS].sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('lists what it holds through GET /tools, with http.webhook gated and its secret declared', () => {
    const { items } = listTools(aContext({ roles: ['operator'] }), toolRegistry());
    expect(items.map((t) => t.name)).toEqual(['entity.update', 'http.webhook']);
    expect(items.find((t) => t.name === 'http.webhook')).toMatchObject({
      requiresApproval: true,
      automatable: false,
      compensatable: false,
      secretInputs: ['secret'],
    });
    expect(items.find((t) => t.name === 'entity.update')).toMatchObject({ compensatable: true, secretInputs: [] });
  });
});

describe('a tool registry', () => {
  it('holds only the tools it is built with', () => {
    expect(new ToolRegistry([failTool]).all().map((t) => t.name)).toEqual(['test.fail']);
    expect(new ToolRegistry([]).get('entity.update')).toBeUndefined();
  });

  it('refuses a tool registered twice', () => {
    expect(() => new ToolRegistry([failTool, failTool])).toThrow(/registered twice/);
  });
});

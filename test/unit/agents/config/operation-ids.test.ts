import { describe, expect, it } from 'vitest';
import { operationIds } from '../../../../schemas/api.js';
import { ROUTES } from '../../../../functions/platform/api-routes.js';
import { AGENT_CONFIG_ROUTE_CONTRACTS } from '../../../../schemas/agent-config-api.js';

/** The configuration routes beside routes of a function of one route and of a function of two. */
const routes = ROUTES.filter((r) =>
  ['AgentConfigApi', 'KnowledgeApi', 'CreateEntity', 'DecideApproval'].includes(r.function),
);

describe('operationIds of the configuration routes', () => {
  it("are their contracts' own, since one function serves the CRUD routes of several resources", () => {
    const ids = operationIds(routes);
    for (const [key, c] of Object.entries(AGENT_CONFIG_ROUTE_CONTRACTS)) expect(ids.get(key), key).toBe(c.operationId);
    expect(ids.get('GET /api/v1/personas')).toBe('listPersonas');
    expect(ids.get('POST /api/v1/knowledge-bases/{id}/documents')).toBe('uploadKnowledgeDocument');
  });

  it('still derive the others from the function, as before', () => {
    const ids = operationIds(routes);
    expect(ids.get('POST /api/v1/entities')).toBe('createEntity');
    expect(ids.get('POST /api/v1/approvals/{id}/approve')).toBe('approveApproval');
  });
});

/**
 * The connected-data demo against a running platform: configures the three connectors of a tenant against the fake
 * vendors through the API, syncs them in parallel, waits for identity resolution to settle, and measures the graph.
 * Used by `npm run -s demo:sync` and by the end-to-end test.
 */
import { FINAL_SYNC_STATUSES } from '../../schemas/connectors.js';
import { api, until } from './api.js';

/** What the fake vendors print (local/vendors): their URL and ready credentials. */
export interface VendorCredentials {
  url: string;
  salesforce: { token: string; clientId: string; clientSecret: string; refreshToken?: string };
  hubspot: { token: string; clientId: string; clientSecret: string; refreshToken: string };
  workday: {
    token: string;
    clientId: string;
    clientSecret: string;
    refreshToken: string;
    tenant: string;
    reportPath: string;
  };
}

export interface DemoResult {
  tenant: string;
  runs: { connector: string; status: string; records: number }[];
  entities: number;
  multiSource: number;
  /** A person whose sources span all three systems, if there is one. */
  allThree: string | null;
}

type Client = ReturnType<typeof api>;

/** The connector definitions of the demo, one per system. */
export function demoConnectors(vendors: VendorCredentials) {
  return [
    {
      system: 'salesforce',
      name: 'demo-salesforce',
      baseUrl: `${vendors.url}/salesforce`,
      credentials: {
        kind: 'client_credentials',
        clientId: vendors.salesforce.clientId,
        clientSecret: vendors.salesforce.clientSecret,
      },
    },
    {
      system: 'hubspot',
      name: 'demo-hubspot',
      baseUrl: `${vendors.url}/hubspot`,
      credentials: {
        kind: 'refresh_token',
        clientId: vendors.hubspot.clientId,
        clientSecret: vendors.hubspot.clientSecret,
        refreshToken: vendors.hubspot.refreshToken,
      },
    },
    {
      system: 'workday',
      name: 'demo-workday',
      baseUrl: `${vendors.url}/workday`,
      credentials: {
        kind: 'refresh_token',
        clientId: vendors.workday.clientId,
        clientSecret: vendors.workday.clientSecret,
        refreshToken: vendors.workday.refreshToken,
      },
      settings: { tenant: vendors.workday.tenant, reportPath: vendors.workday.reportPath, objects: ['workerReport'] },
    },
  ];
}

async function all(client: Client, path: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await client.get(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/** Creates (or reuses, by name) the demo's connectors and returns their ids by system. */
export async function ensureDemoConnectors(client: Client, vendors: VendorCredentials): Promise<Map<string, string>> {
  const existing = await all(client, '/api/v1/connectors');
  const ids = new Map<string, string>();
  for (const def of demoConnectors(vendors)) {
    const found = existing.find((c) => c.name === def.name);
    if (found) {
      // The fake vendors may have restarted on another port: point the connector at them again.
      const res = await client.patch(`/api/v1/connectors/${found.id}`, {
        version: found.version,
        baseUrl: def.baseUrl,
        credentials: def.credentials,
      });
      if (res.status !== 200) throw new Error(`PATCH connector ${def.name}: ${res.status} ${JSON.stringify(res.body)}`);
      ids.set(def.system, found.id);
      continue;
    }
    const res = await client.post('/api/v1/connectors', def);
    if (res.status !== 201) throw new Error(`POST connector ${def.name}: ${res.status} ${JSON.stringify(res.body)}`);
    ids.set(def.system, res.body.id);
  }
  return ids;
}

/** Starts a sync of each connector (in parallel) and waits for all to end. */
export async function syncAll(
  client: Client,
  connectors: Map<string, string>,
  options: { full?: boolean; timeoutMs?: number; onProgress?: (line: string) => void } = {},
): Promise<{ connector: string; status: string; records: number; run: any }[]> {
  const started = await Promise.all(
    [...connectors.entries()].map(async ([system, id]) => {
      const res = await client.post(`/api/v1/connectors/${id}/sync`, { full: options.full ?? false });
      if (res.status !== 202) throw new Error(`sync ${system}: ${res.status} ${JSON.stringify(res.body)}`);
      return { system, runId: res.body.runId as string };
    }),
  );
  return Promise.all(
    started.map(async ({ system, runId }) => {
      let last = '';
      const run = await until(
        `sync run ${runId} of ${system}`,
        async () => {
          const res = await client.get(`/api/v1/connectors/runs/${runId}`);
          const line = `${system}: ${res.body.status} ${Math.round(res.body.progress * 100)} % (${res.body.counts.read} read)`;
          if (line !== last) options.onProgress?.(line);
          last = line;
          return FINAL_SYNC_STATUSES.has(res.body.status) ? res.body : undefined;
        },
        options.timeoutMs ?? 600_000,
        250,
      );
      return { connector: system, status: run.status, records: run.counts.read, run };
    }),
  );
}

/** Entities, and how many persons/organizations have source records of two or more systems (after resolution). */
export async function measureGraph(
  client: Client,
): Promise<{ entities: number; multiSource: number; allThree: string | null }> {
  const entities = await all(client, '/api/v1/entities');
  const seen = new Set<string>();
  let multiSource = 0;
  let allThree: string | null = null;
  for (const e of entities.filter((x) => x.type === 'person' || x.type === 'organization')) {
    if (seen.has(e.id)) continue;
    const res = await client.get(`/api/v1/entities/${e.id}/sources`);
    if (res.status !== 200) continue;
    const ids: string[] = res.body.golden.entityIds;
    for (const id of ids) seen.add(id);
    const systems = new Set(res.body.items.map((s: { system: string }) => s.system));
    if (systems.size >= 2) multiSource += 1;
    if (systems.size >= 3 && e.type === 'person' && !allThree) allThree = e.id;
  }
  return { entities: entities.length, multiSource, allThree };
}

/** The whole demo; resolution runs on the bus after the syncs, so the graph is measured until it stops moving. */
export async function runDemoSync(
  baseUrl: string,
  token: string,
  vendors: VendorCredentials,
  onProgress: (line: string) => void = () => {},
): Promise<DemoResult> {
  const client = api(baseUrl, token);
  const connectors = await ensureDemoConnectors(client, vendors);
  onProgress(`connectors: ${[...connectors.entries()].map(([s, id]) => `${s}=${id}`).join(' ')}`);
  const runs = await syncAll(client, connectors, { onProgress });
  let previous = '';
  let graph = await measureGraph(client);
  // Identity resolution follows entity.created events: wait until two measures a second apart agree.
  for (let i = 0; i < 60; i++) {
    const key = JSON.stringify(graph);
    if (key === previous) break;
    previous = key;
    await new Promise((r) => setTimeout(r, 1000));
    graph = await measureGraph(client);
    onProgress(`graph: ${graph.entities} entities, ${graph.multiSource} built from two or more systems`);
  }
  return {
    tenant: 'demo',
    runs: runs.map(({ connector, status, records }) => ({ connector, status, records })),
    entities: graph.entities,
    multiSource: graph.multiSource,
    allThree: graph.allThree,
  };
}

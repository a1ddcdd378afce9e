import { randomBytes } from 'node:crypto';
import { AesSecretBox } from '../../../../functions/adapters/crypto/aes-secret-box.js';
import type { ConnectorDeps } from '../../../../functions/domain/connectors/connector-use-cases.js';
import { parsePortList } from '../../../../functions/domain/webhooks/loopback-ports.js';
import { PRODUCTION_URL_POLICY, type UrlPolicy } from '../../../../functions/domain/webhooks/url-policy.js';
import type { CreateConnectorRequest } from '../../../../schemas/connectors.js';
import { fixedClock, sequentialIds } from '../../../fakes/clock-and-ids.js';
import { InMemoryConnectorStore, InMemorySyncScheduler } from '../../../fakes/in-memory-connectors.js';

/** The local platform's policy: http to 127.0.0.1 / localhost only on its development ports. */
export const DEV_URL_POLICY: UrlPolicy = { allowHttpLoopback: true, loopbackPorts: parsePortList('8900-8999') };

export const SECRET = 'sf-client-secret-4f1c9a7e';

/** A valid Salesforce connector request; `overrides` replace top-level fields. */
export const aSalesforceRequest = (overrides: Partial<CreateConnectorRequest> = {}): CreateConnectorRequest => ({
  system: 'salesforce',
  name: 'Salesforce production',
  baseUrl: 'https://acme.my.salesforce.com',
  credentials: { kind: 'client_credentials', clientId: 'client-1', clientSecret: SECRET },
  settings: { objects: ['Account', 'Contact'], pageSize: 500, apiVersion: 'v62.0' },
  schedule: 'rate(1 hour)',
  enabled: true,
  ...structuredClone(overrides),
});

export const aWorkdayRequest = (overrides: Partial<CreateConnectorRequest> = {}): CreateConnectorRequest => ({
  system: 'workday',
  name: 'Workday',
  baseUrl: 'https://wd2-impl-services1.workday.com',
  credentials: { kind: 'refresh_token', clientId: 'wd-client', clientSecret: 'wd-secret', refreshToken: 'wd-refresh' },
  settings: { tenant: 'acme_gms' },
  schedule: null,
  enabled: true,
  ...structuredClone(overrides),
});

export interface ConnectorWorld {
  deps: ConnectorDeps;
  store: InMemoryConnectorStore;
  scheduler: InMemorySyncScheduler;
  secrets: AesSecretBox;
}

/** Fresh fakes per test, a real secret box (AES-GCM, per-tenant keys) over a random platform key. */
export function aConnectorWorld(urlPolicy: UrlPolicy = PRODUCTION_URL_POLICY): ConnectorWorld {
  const store = new InMemoryConnectorStore();
  const scheduler = new InMemorySyncScheduler();
  const key = randomBytes(32);
  const secrets = new AesSecretBox(async () => key);
  return {
    store,
    scheduler,
    secrets,
    deps: { connectors: store, scheduler, secrets, urlPolicy, clock: fixedClock(), ids: sequentialIds('con') },
  };
}

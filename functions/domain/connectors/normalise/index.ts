/**
 * The normalisers: pure functions from one vendor record to canonical entities and relations (docs/connectors.md,
 * "Canonical entities and relations"). Deterministic and without side effects: the same record always gives the
 * same output, so a record read twice (a retry, a resync) changes nothing. A record that does not match its vendor's
 * schema throws MalformedPageError naming the object, the record id and the field, and the engine fails its page.
 */
import type { Normaliser } from '../ports.js';
import type { ConnectorSystem } from '../registry.js';
import { hubspotNormaliser } from './hubspot.js';
import type { NormaliserOptions } from './options.js';
import { salesforceNormaliser } from './salesforce.js';
import { workdayNormaliser } from './workday.js';

export type { NormaliserOptions } from './options.js';
export { salesforceId18 } from './salesforce.js';

/** The normaliser of a system's records; `options` come from the connector's configuration. */
export function normaliserFor(system: ConnectorSystem, options: NormaliserOptions = {}): Normaliser {
  switch (system) {
    case 'salesforce':
      return salesforceNormaliser(options);
    case 'hubspot':
      return hubspotNormaliser(options);
    case 'workday':
      return workdayNormaliser(options);
  }
}

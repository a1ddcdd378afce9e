/**
 * A new connector (admins, `POST /connectors`): the system, a name, the vendor's API root, credentials of one of
 * the kinds the system uses, the objects to sync (the registry's, in its order), Workday's tenant and report, a
 * schedule. The API checks everything against the connector registry and names each field it refuses; the form shows the
 * message at the field. Secrets are password inputs and leave the page only in the request.
 */
import { useState } from 'preact/hooks';
import type { Connector, ConnectorSystem, CreateConnectorRequest } from '../../../schemas/connectors.js';
import type { EntityType } from '../../../schemas/entity.js';
import { ApiError, api } from '../api.js';
import { html } from '../html.js';
import { href, navigate } from '../router.js';
import { ErrorBanner, Field, useAction } from '../ui.js';

type Kind = CreateConnectorRequest['credentials']['kind'];

export interface SystemChoice {
  displayName: string;
  authKinds: readonly Kind[];
  objects: readonly { name: string; yields: readonly EntityType[] }[];
  defaultObjects: readonly string[];
}

/**
 * What the form offers per system: the connector registry's (functions/domain/connectors/registry.ts) names, auth
 * kinds, objects in sync order and default objects. The console speaks to the platform only over HTTP, so it keeps
 * this copy; a unit test (test/unit/console/entities-connectors.test.ts) holds it equal to the registry.
 */
export const CONNECTOR_CHOICES: Readonly<Record<ConnectorSystem, SystemChoice>> = {
  salesforce: {
    displayName: 'Salesforce',
    authKinds: ['client_credentials', 'refresh_token'],
    objects: [
      { name: 'Account', yields: ['organization'] },
      { name: 'Contact', yields: ['person'] },
      { name: 'Opportunity', yields: ['deal'] },
    ],
    defaultObjects: ['Account', 'Contact', 'Opportunity'],
  },
  hubspot: {
    displayName: 'HubSpot',
    authKinds: ['refresh_token', 'access_token'],
    objects: [
      { name: 'companies', yields: ['organization'] },
      { name: 'contacts', yields: ['person'] },
      { name: 'deals', yields: ['deal'] },
    ],
    defaultObjects: ['companies', 'contacts', 'deals'],
  },
  workday: {
    displayName: 'Workday',
    authKinds: ['refresh_token', 'client_credentials'],
    objects: [
      { name: 'workers', yields: ['person', 'employee'] },
      { name: 'workerReport', yields: ['person', 'employee'] },
    ],
    defaultObjects: ['workers'],
  },
};
const SYSTEMS = Object.keys(CONNECTOR_CHOICES) as ConnectorSystem[];
const SECRET_FIELDS: Record<Kind, readonly { name: string; label: string; secret: boolean }[]> = {
  client_credentials: [
    { name: 'clientId', label: 'Client id', secret: false },
    { name: 'clientSecret', label: 'Client secret', secret: true },
  ],
  refresh_token: [
    { name: 'clientId', label: 'Client id', secret: false },
    { name: 'clientSecret', label: 'Client secret', secret: true },
    { name: 'refreshToken', label: 'Refresh token', secret: true },
  ],
  access_token: [{ name: 'accessToken', label: 'Access token', secret: true }],
};

export function CreateConnector({ onCancel }: { onCancel: () => void }) {
  const [system, setSystem] = useState<ConnectorSystem>('salesforce');
  const spec = CONNECTOR_CHOICES[system];
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [kind, setKind] = useState<Kind>(spec.authKinds[0]!);
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [objects, setObjects] = useState<string[]>([...spec.defaultObjects]);
  const [tenant, setTenant] = useState('');
  const [reportPath, setReportPath] = useState('');
  const [schedule, setSchedule] = useState('');
  const [enabled, setEnabled] = useState(true);
  const action = useAction();
  const problems = action.error instanceof ApiError ? action.error : undefined;
  const at = (field: string) => problems?.fieldMessage(field);
  const atPrefix = (prefix: string) =>
    problems?.details
      .filter((d) => d.field === prefix || d.field?.startsWith(`${prefix}.`))
      .map((d) => d.message)
      .join('; ') || undefined;

  const chooseSystem = (s: ConnectorSystem) => {
    setSystem(s);
    setKind(CONNECTOR_CHOICES[s].authKinds[0]!);
    setObjects([...CONNECTOR_CHOICES[s].defaultObjects]);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const credentials = {
      kind,
      ...Object.fromEntries(SECRET_FIELDS[kind].map((f) => [f.name, secrets[f.name] ?? ''])),
    };
    const body = {
      system,
      name: name.trim(),
      baseUrl: baseUrl.trim(),
      credentials,
      settings: {
        // the registry's order, as the API keeps it
        objects: spec.objects.map((o) => o.name).filter((o) => objects.includes(o)),
        ...(system === 'workday' && tenant.trim() ? { tenant: tenant.trim() } : {}),
        ...(system === 'workday' && objects.includes('workerReport') && reportPath.trim()
          ? { reportPath: reportPath.trim() }
          : {}),
      },
      schedule: schedule.trim() || null,
      enabled,
    };
    void action.run(async () => {
      const created = await api.post<Connector>('/connectors', body);
      navigate(href('connectors', created.id));
    });
  };
  const input = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  return html`<form class="card connector-form" onSubmit=${submit} aria-labelledby="new-connector-h">
    <header><h2 id="new-connector-h">New connector</h2></header>
    <div class="grid2">
      <${Field} label="System" error=${at('system')}>
        <select value=${system} onChange=${(e: Event) => chooseSystem((e.target as HTMLSelectElement).value as ConnectorSystem)}>
          ${SYSTEMS.map((s) => html`<option value=${s}>${CONNECTOR_CHOICES[s].displayName}</option>`)}
        </select>
      </${Field}>
      <${Field} label="Name" error=${at('name')}>
        <input required maxlength="128" value=${name} onInput=${input(setName)} />
      </${Field}>
      <${Field} label="API root (base URL)" error=${at('baseUrl')}
        hint=${`https; on the local platform also the fake vendors' http://127.0.0.1:<port>/${system}`}>
        <input required type="url" value=${baseUrl} onInput=${input(setBaseUrl)} />
      </${Field}>
      <${Field} label="Schedule" error=${at('schedule')} hint="rate(1 hour) or cron(0 2 * * ? *), at most every 5 minutes; empty: on demand only">
        <input value=${schedule} placeholder="rate(1 hour)" onInput=${input(setSchedule)} />
      </${Field}>
    </div>
    <fieldset>
      <legend>Credentials</legend>
      <${Field} label="Kind" error=${at('credentials.kind')}>
        <select value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value as Kind)}>
          ${spec.authKinds.map((k) => html`<option value=${k}>${k.replace(/_/g, ' ')}</option>`)}
        </select>
      </${Field}>
      ${SECRET_FIELDS[kind].map(
        (f) => html`<${Field} label=${f.label} error=${at(`credentials.${f.name}`)}>
          <input required type=${f.secret ? 'password' : 'text'} autocomplete="off" value=${secrets[f.name] ?? ''}
            onInput=${(e: Event) => setSecrets({ ...secrets, [f.name]: (e.target as HTMLInputElement).value })} />
        </${Field}>`,
      )}
    </fieldset>
    <fieldset>
      <legend>Objects to sync</legend>
      ${spec.objects.map(
        (o) => html`<label class="check"><input type="checkbox" checked=${objects.includes(o.name)}
          onChange=${(e: Event) =>
            setObjects(
              (e.target as HTMLInputElement).checked ? [...objects, o.name] : objects.filter((x) => x !== o.name),
            )} />${o.name} <span class="hint">(${o.yields.join(', ')})</span></label>`,
      )}
      ${atPrefix('settings.objects') ? html`<p class="field-error" role="alert">${atPrefix('settings.objects')}</p>` : null}
    </fieldset>
    ${
      system === 'workday'
        ? html`<div class="grid2">
          <${Field} label="Workday tenant" error=${at('settings.tenant')}>
            <input required value=${tenant} onInput=${input(setTenant)} />
          </${Field}>
          ${
            objects.includes('workerReport')
              ? html`<${Field} label="Report path" error=${at('settings.reportPath')} hint="<owner>/<report>">
                <input required value=${reportPath} onInput=${input(setReportPath)} />
              </${Field}>`
              : null
          }
        </div>`
        : null
    }
    <label class="check"><input type="checkbox" checked=${enabled} onChange=${(e: Event) => setEnabled((e.target as HTMLInputElement).checked)} />Enabled (the schedule runs)</label>
    <${ErrorBanner} error=${action.error} />
    <div class="buttons">
      <button type="submit" class="primary" disabled=${action.busy} aria-busy=${action.busy ? 'true' : undefined}>Create</button>
      <button type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

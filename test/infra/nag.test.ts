import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext, createModosApp } from '../../lib/app.js';
import { DEV_JWT_PLACEHOLDERS, stageConfigFromContext, StageConfigError } from '../../lib/stage-config.js';
import { settleRunner, synthStage, SYNTH_TIMEOUT_MS, type SynthesizedStage } from './support/synth.js';

interface Ack {
  path: string;
  id: string;
  reason: string;
}

/** Every acknowledgement recorded with Validations.of(construct).acknowledge(). */
function acknowledgements(app: App): Ack[] {
  const out: Ack[] = [];
  for (const c of app.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>))
        out.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
    }
  }
  return out;
}

/** What AwsSolutions would report if nothing were acknowledged: rule id → construct paths. */
function rawFindings(app: App): Array<{ id: string; path: string }> {
  const pack = new AwsSolutionsChecks(app);
  // Test-only: see every finding, to prove each acknowledgement still matches one.
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return pack
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })));
}

describe.each([
  ['a tenant stage', { stage: 'acme-test' }],
  [
    'the dev stage (placeholder IdP, no WAF)',
    { stage: 'dev', jwtIssuer: undefined, jwtAudience: undefined, jwksUrl: undefined },
  ],
])('cdk-nag AwsSolutions on %s', (_label, context) => {
  let s: SynthesizedStage;
  beforeAll(async () => {
    await settleRunner();
    // Synthesis itself throws (in-memory app mode under vitest) on any unacknowledged error finding.
    s = synthStage(context);
  }, SYNTH_TIMEOUT_MS);

  it('reports no finding of any severity from any validation plugin', () => {
    const violations = s.validationReport.pluginReports.flatMap((r) => r.violations ?? []);
    expect(violations).toEqual([]);
  });

  it('runs the AwsSolutions pack on this app (a synthesis without it would prove nothing), nested stacks included', () => {
    const findings = rawFindings(s.app);
    expect(findings.length).toBeGreaterThan(0);
    for (const nested of s.stacks.slice(1))
      expect(
        findings.some((f) => f.path.startsWith(`${nested.path}/`)),
        nested.path,
      ).toBe(true);
  });

  it('acknowledges every finding on the construct it concerns, never on a stack (nested ones included) or the app', () => {
    const acks = acknowledgements(s.app);
    const stackPaths = new Set(s.stacks.map((x) => x.path));
    expect(stackPaths.size).toBeGreaterThan(1);
    expect(acks.filter((a) => a.path === '' || stackPaths.has(a.path))).toEqual([]);
    for (const f of rawFindings(s.app)) {
      const covering = acks.filter((a) => a.id === f.id && (f.path === a.path || f.path.startsWith(`${a.path}/`)));
      expect(covering.length, `${f.id} at ${f.path}`).toBeGreaterThan(0);
    }
  });

  it('has no stale acknowledgement, and each gives a specific reason', () => {
    const findings = rawFindings(s.app);
    for (const a of acknowledgements(s.app)) {
      if (!a.id.startsWith('AwsSolutions-')) continue;
      const used = findings.some((f) => f.id === a.id && (f.path === a.path || f.path.startsWith(`${a.path}/`)));
      expect(used, `${a.id} at ${a.path} suppresses nothing`).toBe(true);
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(60);
    }
  });
});

describe('stage settings from context', () => {
  const read = (ctx: Record<string, unknown>) => stageConfigFromContext((k) => ctx[k]);

  it('defaults to the dev stage with placeholder identity provider settings', () => {
    const c = read({});
    expect(c).toMatchObject({
      stage: 'dev',
      stackName: 'Modos-dev',
      jwtIsPlaceholder: true,
      retainData: false,
      waf: false,
    });
    expect(c.jwksUrl).toBe(DEV_JWT_PLACEHOLDERS.jwksUrl);
  });

  it.each(['Acme', 'a', '1acme', 'acme_prod', 'acme-prod-with-a-very-long-name'])(
    'rejects the stage name %j with a message saying what is allowed',
    (stage) => {
      expect(() => read({ stage })).toThrow(StageConfigError);
      expect(() => read({ stage })).toThrow(/-c stage=<name>.*a-z, 0-9/);
    },
  );

  it('refuses a non-dev stage without its identity provider', () => {
    expect(() => read({ stage: 'acme-prod' })).toThrow(/needs its identity provider: -c jwtIssuer=.* -c jwksUrl=/);
  });

  it('refuses a JWKS URL that is not https', () => {
    expect(() =>
      read({
        stage: 'acme-prod',
        tenants: 'acme',
        consoleClientId: 'modos-api',
        jwtIssuer: 'https://idp.example.com/',
        jwksUrl: 'http://idp.example.com/jwks',
      }),
    ).toThrow(/jwksUrl.*https/);
  });

  it('reads CLI strings for booleans and numbers', () => {
    const c = read({
      stage: 'acme-prod',
      tenants: 'acme',
      consoleClientId: 'modos-api',
      jwtIssuer: 'https://idp.example.com/',
      jwksUrl: 'https://idp.example.com/jwks',
      waf: 'false',
      throttleRateLimit: '20',
    });
    expect(c).toMatchObject({ waf: false, throttleRateLimit: 20, retainData: true });
    expect(() => read({ waf: 'yes' })).toThrow(/"waf" must be true or false/);
  });

  it('needs the tenants of a non-dev stage, and reads their limits', () => {
    const idp = {
      stage: 'acme-prod',
      jwtIssuer: 'https://idp.example.com/',
      jwksUrl: 'https://idp.example.com/jwks',
      consoleClientId: 'modos-api',
    };
    expect(() => read(idp)).toThrow(/needs the tenants it serves.*-c tenants=/);
    expect(() => read({ ...idp, tenants: 'acme,ac me' })).toThrow(/"ac me" is not a tenant id/);
    expect(() => read({ ...idp, tenants: 'acme,acme' })).toThrow(/lists a tenant twice/);
    expect(() => read({ ...idp, tenants: 'acme', tenantRateLimit: '0' })).toThrow(
      /"tenantRateLimit" must be an integer between 1/,
    );
    const c = read({ ...idp, tenants: 'acme, globex', tenantRateLimit: '5', tenantBurstLimit: '10' });
    expect(c.tenants).toEqual(['acme', 'globex']);
    expect(c.tenantLimits).toMatchObject({ ratePerSecond: 5, burst: 10 });
    expect(read({}).tenants).toEqual([]);
  });

  it('reads an optional https base URL for callback links (custom domain)', () => {
    expect(read({}).publicApiUrl).toBeUndefined();
    expect(read({ publicApiUrl: 'https://api.acme.example/modos' }).publicApiUrl).toBe(
      'https://api.acme.example/modos',
    );
    expect(() => read({ publicApiUrl: 'http://api.acme.example' })).toThrow(/publicApiUrl.*https/);
    expect(() => read({ publicApiUrl: 'https://api.acme.example/?x=1' })).toThrow(/publicApiUrl.*plain base URL/);
  });

  it('fails app construction, before any resource exists, on an invalid stage', () => {
    expect(() => createModosApp({ context: { ...cdkJsonContext(), stage: 'Bad Stage' } })).toThrow(StageConfigError);
  });
});

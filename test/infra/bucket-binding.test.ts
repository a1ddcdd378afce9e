/**
 * ModosFunction.bindBucket in a small stack (no function of the manifest binds the bucket yet): a function
 * bound to its areas gets BUCKET_NAME and object grants on exactly `t/<any tenant>/<area>` of those areas,
 * ListBucket only with an `s3:prefix` of them, the key's use on a KMS bucket, and cdk-nag stays clean with
 * every acknowledgement matching a finding.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { OBJECT_STORE, type BucketBinding, type FunctionSpec } from '../../functions/platform/manifest.js';
import { cdkJsonContext, PROJECT_ROOT } from '../../lib/app.js';
import { BUCKET_ACTIONS, ModosFunction } from '../../lib/constructs/modos-function.js';
import { ObjectStore } from '../../lib/constructs/object-store.js';
import { AREA_RETENTION_DAYS, RETENTION_TAG } from '../../functions/platform/blob-areas.js';
import { asArray, statementsOfRole, type SynthesizedStage } from './support/synth.js';

type Json = SynthesizedStage['json'];

/** A template value as text: `{ Fn::Join: ['', [{ Fn::GetAtt: [B, 'Arn'] }, '/t/*'] ] }` → `<B.Arn>/t/*`. */
function render(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Record<string, any>;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(render).join(o['Fn::Join'][0]);
  if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'][0]}.${o['Fn::GetAtt'][1]}>`;
  if (o.Ref) return `<${o.Ref}>`;
  throw new Error(`cannot render ${JSON.stringify(v)}`);
}

interface Bound {
  json: Json;
  bucketId: string;
  keyId?: string;
  env: Record<string, unknown>;
  statements: ReturnType<typeof statementsOfRole>;
  /** Findings left in cdk.out's validation report (not acknowledged). */
  violations: unknown[];
  acknowledged: string[];
  findings: string[];
}

/** A stack with the platform bucket (or a KMS bucket) and one function bound to it as `binding` says. */
function synthBound(binding: BucketBinding, bucketKind: 'platform' | 'kms' = 'platform'): Bound {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'BucketBindingTest');
  const store = new ObjectStore(stack, 'Objects', { accessLogRetentionDays: 30 });
  const key =
    bucketKind === 'kms'
      ? new kms.Key(stack, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY })
      : undefined;
  const bucket = key
    ? new s3.Bucket(stack, 'KmsBucket', {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: key,
        enforceSSL: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        serverAccessLogsBucket: store.accessLogs,
        serverAccessLogsPrefix: 'kms-bucket/',
      })
    : store.bucket;
  const spec: FunctionSpec = {
    name: 'SyncPagesWriter',
    entry: 'functions/handlers/health.ts',
    description: 'test: bound to the bucket',
    bucket: binding,
  };
  const f = new ModosFunction(stack, spec.name, {
    spec,
    projectRoot: PROJECT_ROOT,
    stage: 'acme-test',
    logLevel: 'INFO',
    logRetention: logs.RetentionDays.ONE_MONTH,
    logRemovalPolicy: RemovalPolicy.DESTROY,
  });
  f.bindBucket(bucket, spec.bucket!);

  const pack = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(pack);
  const assembly = app.synth();
  const report = JSON.parse(
    readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as SynthesizedStage['validationReport'];
  const json = Template.fromStack(stack).toJSON() as Json;
  const id = (c: s3.IBucket | kms.IKey | typeof f.role | typeof f.function) =>
    stack.resolve((c.node.defaultChild as unknown as { logicalId: string }).logicalId) as string;
  // Every finding as if nothing were acknowledged, to tell a needed acknowledgement from a stale one.
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  const findings = pack
    .validateScope(app)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}@${r.constructPath ?? ''}`));
  const acknowledged = app.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) =>
          Object.keys(m.data as Record<string, string>).map(
            (rule) => `${rule.replace(/^annotation::/i, '')}@${c.node.path}`,
          ),
        ),
    );
  return {
    json,
    bucketId: id(bucket),
    ...(key ? { keyId: id(key) } : {}),
    env: json.Resources[id(f.function)]!.Properties!.Environment.Variables,
    statements: statementsOfRole(json, id(f.role)),
    violations: report.pluginReports.flatMap((r) => r.violations ?? []),
    acknowledged,
    findings,
  };
}

const s3Statements = (b: Bound) => b.statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('s3:')));
const kmsStatements = (b: Bound) => b.statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('kms:')));

describe('bucket binding', () => {
  it("grants a write binding object actions on t/<any tenant>/<its area> only, and ListBucket only for that area's prefix", () => {
    const b = synthBound({ access: 'write', prefixes: ['sync-pages/'] });

    expect(b.env.BUCKET_NAME).toEqual({ Ref: b.bucketId });
    expect(s3Statements(b)).toHaveLength(2);
    const objects = s3Statements(b).find((st) => asArray(st.Action).includes('s3:GetObject'));
    const listing = s3Statements(b).find((st) => asArray(st.Action).includes('s3:ListBucket'));
    expect(asArray(objects!.Action).sort()).toEqual([...BUCKET_ACTIONS.read, ...BUCKET_ACTIONS.write].sort());
    expect(asArray(objects!.Resource).map(render)).toEqual([`<${b.bucketId}.Arn>/t/*/sync-pages/*`]);
    expect(listing).toMatchObject({
      Action: 's3:ListBucket',
      Condition: { StringLike: { 's3:prefix': ['t/*/sync-pages/*'] } },
    });
    expect(asArray(listing!.Resource).map(render)).toEqual([`<${b.bucketId}.Arn>`]);
  });

  it('grants a read binding GetObject (and listing) on each of its areas, never a write', () => {
    const b = synthBound({ access: 'read', prefixes: ['sync-pages/', 'agent-outputs/'] });

    const actions = s3Statements(b).flatMap((st) => asArray(st.Action));
    expect(actions.sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    const objects = s3Statements(b).find((st) => asArray(st.Action).includes('s3:GetObject'))!;
    expect(asArray(objects.Resource).map(render).sort()).toEqual([
      `<${b.bucketId}.Arn>/t/*/agent-outputs/*`,
      `<${b.bucketId}.Arn>/t/*/sync-pages/*`,
    ]);
    const listing = s3Statements(b).find((st) => asArray(st.Action).includes('s3:ListBucket'))!;
    expect(
      [
        ...(listing as unknown as { Condition: { StringLike: Record<string, string[]> } }).Condition.StringLike[
          's3:prefix'
        ]!,
      ].sort(),
    ).toEqual(['t/*/agent-outputs/*', 't/*/sync-pages/*']);
  });

  it('needs no KMS grant on the SSE-S3 platform bucket, whose encryption is the one the blob store asks for', () => {
    const b = synthBound({ access: 'write', prefixes: ['sync-pages/'] });

    expect(kmsStatements(b)).toEqual([]);
    const encryption = b.json.Resources[b.bucketId]!.Properties!.BucketEncryption.ServerSideEncryptionConfiguration;
    expect(encryption).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: OBJECT_STORE.encryption } }]);
  });

  it.each([
    ['write', ['kms:Decrypt', 'kms:GenerateDataKey']],
    ['read', ['kms:Decrypt']],
  ] as const)('lets a %s binding of a KMS bucket use its key for exactly %j', (access, actions) => {
    const b = synthBound({ access, prefixes: ['agent-outputs/'] }, 'kms');

    const statements = kmsStatements(b);
    expect(statements.flatMap((st) => asArray(st.Action)).sort()).toEqual([...actions]);
    for (const st of statements) expect(asArray(st.Resource).map(render)).toEqual([`<${b.keyId}.Arn>`]);
  });

  it.each([
    ['write', 'platform'],
    ['read', 'kms'],
  ] as const)(
    'keeps cdk-nag clean for a %s binding (%s bucket), each acknowledgement matching a finding',
    (access, kind) => {
      const b = synthBound({ access, prefixes: ['sync-pages/', 'agent-outputs/'] }, kind);

      expect(b.violations).toEqual([]);
      const iam5Acks = b.acknowledged.filter(
        (a) => a.startsWith('AwsSolutions-IAM5[Resource::<') && a.includes('/t/*/'),
      );
      expect(iam5Acks).toHaveLength(2);
      for (const ack of b.acknowledged.filter((a) => a.startsWith('AwsSolutions-'))) {
        const [rule, path] = ack.split('@') as [string, string];
        expect(
          b.findings.some((f) => f.startsWith(`${rule}@${path}`)),
          `${ack} suppresses nothing`,
        ).toBe(true);
      }
    },
  );

  it('expires the raw sync pages by their retention tag (the tenant segment of the key defeats a prefix filter)', () => {
    const b = synthBound({ access: 'write', prefixes: ['sync-pages/'] });

    const rules = b.json.Resources[b.bucketId]!.Properties!.LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules).toContainEqual(
      expect.objectContaining({
        Id: 'expire-sync-pages',
        Status: 'Enabled',
        ExpirationInDays: AREA_RETENTION_DAYS['sync-pages/'],
        TagFilters: [{ Key: RETENTION_TAG, Value: 'sync-pages' }],
      }),
    );
    // The tag is written with the object: a write binding needs PutObjectTagging besides PutObject.
    expect(BUCKET_ACTIONS.write).toContain('s3:PutObjectTagging');
  });

  it('refuses a binding without prefixes or with one twice', () => {
    expect(() => synthBound({ access: 'read', prefixes: [] })).toThrow(/at least one prefix/);
    expect(() => synthBound({ access: 'read', prefixes: ['sync-pages/', 'sync-pages/'] })).toThrow(/a prefix twice/);
  });
});

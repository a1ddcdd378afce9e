/**
 * The console in AWS (lib/constructs/console-hosting.ts): a private bucket read by CloudFront through origin access
 * control, HTTPS only, the security headers of console/headers.ts on every response, `/api/*` to the stage's REST
 * API uncached with every viewer header but Host, the build deployed with its cache classes and `config.json` naming
 * the stage's identity provider, a deployment role holding only what its copies do, and the stage settings it reads.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { consoleSecurityHeaders, cacheControlOf } from '../../console/headers.js';
import type { ConsoleConfig } from '../../console/src/config.js';
import { ROUTES } from '../../functions/platform/api-routes.js';
import { cdkJsonContext, createModosApp } from '../../lib/app.js';
import {
  API_PATH_PATTERN,
  CONSOLE_CONFIG_FILE,
  INVALIDATED_PATHS,
  responseHeadersOf,
} from '../../lib/constructs/console-hosting.js';
import { consoleConfigOf } from '../../lib/modos-stack.js';
import {
  DEFAULT_CONSOLE_SCOPES,
  DEV_CONSOLE_PLACEHOLDERS,
  stageConfigFromContext,
  StageConfigError,
} from '../../lib/stage-config.js';
import {
  asArray,
  IDP,
  referencedIds,
  resourcesOfType,
  settleRunner,
  statementsOfRole,
  synthStage,
  SYNTH_TIMEOUT_MS,
  type CfnResourceJson,
  type SynthesizedStage,
} from './support/synth.js';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';
const WEB_ACL_ARN =
  'arn:aws:wafv2:us-east-1:123456789012:global/webacl/modos-console/0a1b2c3d-1111-2222-3333-444455556666';
/** A token endpoint on another host than the issuer (a Cognito user pool domain). */
const TOKEN_ORIGIN = 'https://acme.auth.eu-west-1.amazoncognito.com';

/** The headers a response headers policy of the template sends, as console/headers.ts names them. */
function headersOfPolicy(config: Record<string, any>): Record<string, string> {
  const sec = config.SecurityHeadersConfig ?? {};
  const out: Record<string, string> = {};
  const overridden: boolean[] = [];
  if (sec.ContentSecurityPolicy) {
    out['content-security-policy'] = sec.ContentSecurityPolicy.ContentSecurityPolicy;
    overridden.push(sec.ContentSecurityPolicy.Override);
  }
  if (sec.StrictTransportSecurity) {
    const h = sec.StrictTransportSecurity;
    out['strict-transport-security'] = [
      `max-age=${h.AccessControlMaxAgeSec}`,
      ...(h.IncludeSubdomains ? ['includeSubDomains'] : []),
      ...(h.Preload ? ['preload'] : []),
    ].join('; ');
    overridden.push(h.Override);
  }
  if (sec.ContentTypeOptions) {
    out['x-content-type-options'] = 'nosniff';
    overridden.push(sec.ContentTypeOptions.Override);
  }
  if (sec.FrameOptions) {
    out['x-frame-options'] = sec.FrameOptions.FrameOption;
    overridden.push(sec.FrameOptions.Override);
  }
  if (sec.ReferrerPolicy) {
    out['referrer-policy'] = sec.ReferrerPolicy.ReferrerPolicy;
    overridden.push(sec.ReferrerPolicy.Override);
  }
  if (sec.XSSProtection) out['x-xss-protection'] = JSON.stringify(sec.XSSProtection);
  for (const h of config.CustomHeadersConfig?.Items ?? []) {
    out[h.Header] = h.Value;
    overridden.push(h.Override);
  }
  // Every header replaces what an origin might send, so both runtimes answer the same.
  expect(overridden.every((o) => o === true)).toBe(true);
  return out;
}

/** The folder the assembly staged for an asset object key (`<hash>.zip` → `asset.<hash>`). */
function assetDir(s: SynthesizedStage, objectKey: string): string {
  const dir = path.join(s.assemblyDir, `asset.${objectKey.replace(/\.zip$/, '')}`);
  expect(existsSync(dir), objectKey).toBe(true);
  return dir;
}

function deploymentsOf(s: SynthesizedStage): Record<'HashedFiles' | 'Pages', CfnResourceJson & { id: string }> {
  const all = resourcesOfType(s.json, 'Custom::CDKBucketDeployment');
  const pick = (name: string) => {
    const found = all.filter(([id]) => id.startsWith(`ConsoleDeploy${name}`));
    expect(found, name).toHaveLength(1);
    return { id: found[0]![0], ...found[0]![1] };
  };
  expect(all).toHaveLength(2);
  return { HashedFiles: pick('HashedFiles'), Pages: pick('Pages') };
}

/** Each source of a deployment: the files of its staged folder. */
function sourceFiles(s: SynthesizedStage, deployment: CfnResourceJson): string[][] {
  return (deployment.Properties!.SourceObjectKeys as string[]).map((key) => readdirSync(assetDir(s, key)).sort());
}

/** The cdk-nag acknowledgements recorded on a construct: [rule id, reason]. */
const acknowledgementsOf = (c: IConstruct): Array<[string, string]> =>
  c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>));

const distributionOf = (s: SynthesizedStage) => {
  const [[, d]] = resourcesOfType(s.json, 'AWS::CloudFront::Distribution') as [[string, CfnResourceJson]];
  return d.Properties!.DistributionConfig as Record<string, any>;
};

describe('the console on a tenant stage (default CloudFront domain)', () => {
  let s: SynthesizedStage;
  let bucketId: string;
  let distributionId: string;

  beforeAll(async () => {
    await settleRunner();
    s = synthStage();
    bucketId = s.logicalId(s.stack.console.bucket);
    distributionId = s.logicalId(s.stack.console.distribution);
  }, SYNTH_TIMEOUT_MS);

  it('keeps the bucket private: public access blocked, SSE-S3, owner-enforced, logged, retained', () => {
    const bucket = s.json.Resources[bucketId]!;
    expect(bucket.Properties!.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(
      bucket.Properties!.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
    ).toEqual({ SSEAlgorithm: 'AES256' });
    expect(bucket.Properties!.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(bucket.Properties!.LoggingConfiguration.DestinationBucketName).toEqual({
      Ref: s.logicalId(s.stack.console.logs),
    });
    expect((bucket as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    expect(bucket.Properties!.WebsiteConfiguration).toBeUndefined();
  });

  it('lets only this distribution read the bucket (origin access control), and only over TLS', () => {
    const [[, policy]] = resourcesOfType(s.json, 'AWS::S3::BucketPolicy').filter(
      ([, p]) => p.Properties!.Bucket.Ref === bucketId,
    ) as [[string, CfnResourceJson]];
    const statements = policy.Properties!.PolicyDocument.Statement as Array<Record<string, any>>;
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(referencedIds(allows[0]!.Condition.StringEquals['AWS:SourceArn'])).toEqual([distributionId]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );

    const d = distributionOf(s);
    const origin = d.Origins.find((o: any) => o.Id === d.DefaultCacheBehavior.TargetOriginId);
    expect(referencedIds(origin.DomainName)).toEqual([bucketId]);
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    const [oacId] = referencedIds(origin.OriginAccessControlId);
    expect(s.json.Resources[oacId!]).toMatchObject({
      Type: 'AWS::CloudFront::OriginAccessControl',
      Properties: {
        OriginAccessControlConfig: {
          OriginAccessControlOriginType: 's3',
          SigningBehavior: 'always',
          SigningProtocol: 'sigv4',
        },
      },
    });
    expect(resourcesOfType(s.json, 'AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual([]);
  });

  it('serves index.html at / over HTTPS (HTTP redirected), HTTP/2 and HTTP/3, GET and HEAD, cached by Cache-Control', () => {
    const d = distributionOf(s);
    expect(d.DefaultRootObject).toBe('index.html');
    expect(d.HttpVersion).toBe('http2and3');
    expect(d.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      CachePolicyId: cloudfront.CachePolicy.CACHING_OPTIMIZED.cachePolicyId,
      Compress: true,
    });
    // Views are routed by the hash: no error page rewrite, which would also rewrite the API's 403 and 404.
    expect(d.CustomErrorResponses).toBeUndefined();
  });

  it('answers every behaviour with exactly consoleSecurityHeaders(), its CSP allowing the issuer origin', () => {
    const d = distributionOf(s);
    const policyIds = [d.DefaultCacheBehavior, ...d.CacheBehaviors].map((b: any) => b.ResponseHeadersPolicyId);
    const policyId = s.logicalId(s.stack.console.responseHeadersPolicy);
    expect(policyIds).toEqual([{ Ref: policyId }, { Ref: policyId }]);
    const config = s.json.Resources[policyId]!.Properties!.ResponseHeadersPolicyConfig;
    const expected = consoleSecurityHeaders({ connectSrc: ['https://idp.example.com'] });
    expect(headersOfPolicy(config)).toEqual(expected);
    expect(expected['content-security-policy']).toContain("connect-src 'self' https://idp.example.com;");
  });

  it(`routes ${API_PATH_PATTERN} to the stage's REST API: HTTPS only, every method, uncached, every viewer header but Host`, () => {
    const d = distributionOf(s);
    expect(d.CacheBehaviors).toHaveLength(1);
    const api = d.CacheBehaviors[0];
    expect(api).toMatchObject({
      PathPattern: API_PATH_PATTERN,
      ViewerProtocolPolicy: 'https-only',
      CachePolicyId: cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId,
      OriginRequestPolicyId: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
    });
    expect([...api.AllowedMethods].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    const origin = d.Origins.find((o: any) => o.Id === api.TargetOriginId);
    const restApiId = s.logicalId(s.stack.platformApi.api);
    const stageId = s.logicalId(s.stack.platformApi.api.deploymentStage);
    expect(referencedIds(origin.DomainName)).toEqual([restApiId, stageId]);
    expect(origin.OriginPath).toEqual({ 'Fn::Join': ['', ['/', { Ref: stageId }]] });
    expect(origin.CustomOriginConfig).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    // The console's API base and every route it may call are under the pattern.
    const under = (p: string) => p.startsWith(API_PATH_PATTERN.slice(0, -1));
    expect(under(consoleConfigOf(s.config).apiBase)).toBe(true);
    expect(ROUTES.filter((r) => r.path.startsWith('/api/v1/')).every((r) => under(r.path))).toBe(true);
  });

  it('logs the distribution and the bucket into a log bucket that accepts CloudFront log delivery', () => {
    const logsId = s.logicalId(s.stack.console.logs);
    expect(distributionOf(s).Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logsId, 'RegionalDomainName'] },
      IncludeCookies: false,
      Prefix: 'distribution/',
    });
    const logs = s.json.Resources[logsId]!.Properties!;
    // CloudFront standard logs are delivered with an ACL granting the owner full control: ACLs must stay usable.
    expect(logs.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerPreferred' }]);
    expect(Object.values(logs.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
    expect(logs.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ ExpirationInDays: 365, Status: 'Enabled' }),
    );
  });

  it('deploys the hashed files immutable for a year, then index.html and config.json uncached, then invalidates them', () => {
    const { HashedFiles, Pages } = deploymentsOf(s);
    const built = s.stack.console.build.files.map((f) => f.name);
    const hashed = built.filter((n) => /^app-[0-9a-f]{10}\.(js|css)$/.test(n)).sort();
    expect(hashed).toHaveLength(2);
    expect(built.filter((n) => !hashed.includes(n))).toEqual(['index.html']);

    expect(HashedFiles.Properties).toMatchObject({
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
      Prune: false,
      RetainOnDelete: true,
    });
    expect(HashedFiles.Properties!.DistributionId).toBeUndefined();
    expect(sourceFiles(s, HashedFiles)).toEqual([hashed]);
    for (const n of hashed) expect(cacheControlOf(n)).toBe('public, max-age=31536000, immutable');

    expect(Pages.Properties).toMatchObject({
      SystemMetadata: { 'cache-control': 'no-cache' },
      Prune: false,
      RetainOnDelete: true,
      DistributionId: { Ref: distributionId },
      DistributionPaths: [...INVALIDATED_PATHS],
    });
    expect(sourceFiles(s, Pages)).toEqual([['index.html'], [CONSOLE_CONFIG_FILE]]);
    expect(INVALIDATED_PATHS).toEqual(['/', '/index.html', '/config.json']);
    expect(asArray(Pages.DependsOn)).toContain(HashedFiles.id);

    // The page that is deployed names the files deployed before it.
    const [pageKey] = Pages.Properties!.SourceObjectKeys as string[];
    const page = readFileSync(path.join(assetDir(s, pageKey!), 'index.html'), 'utf8');
    for (const n of hashed) expect(page).toContain(`/${n}`);
  });

  it('writes config.json with the stage, the API base and OIDC sign-in at the stage identity provider', () => {
    const { Pages } = deploymentsOf(s);
    const configKey = (Pages.Properties!.SourceObjectKeys as string[])[1]!;
    const written = JSON.parse(readFileSync(path.join(assetDir(s, configKey), CONSOLE_CONFIG_FILE), 'utf8'));
    const expected: ConsoleConfig = {
      stage: 'acme-test',
      apiBase: '/api/v1',
      signIn: {
        mode: 'oidc',
        issuer: IDP.jwtIssuer,
        clientId: IDP.jwtAudience,
        scopes: DEFAULT_CONSOLE_SCOPES,
        tokenUse: 'id_token',
      },
    };
    expect(written).toEqual(expected);
    expect(DEFAULT_CONSOLE_SCOPES).toBe('openid profile email');
  });

  it('gives the deployment function a role with only its copies: no wildcard, no managed policy', () => {
    const fn = s.json.Resources[s.logicalId(s.stack.console.deploymentFunction)]!;
    expect(fn.Properties!.Runtime).toMatch(/^python3\./);
    const [roleId] = referencedIds(fn.Properties!.Role);
    const role = s.json.Resources[roleId!]!;
    expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
    const statements = statementsOfRole(s.json, roleId!);
    const text = (v: unknown) => JSON.stringify(v);
    for (const st of statements) {
      for (const a of asArray(st.Action)) expect(a).not.toContain('*');
      expect(text(st.Resource)).not.toMatch(/"\*"|\/\*"/);
    }
    const actions = statements.flatMap((st) => asArray(st.Action)).sort();
    expect(actions).toEqual([
      'cloudfront:CreateInvalidation',
      'cloudfront:GetInvalidation',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
    ]);
    const resourcesOf = (action: string) =>
      statements.filter((st) => asArray(st.Action).includes(action)).flatMap((st) => asArray(st.Resource as unknown));
    // Puts exactly the deployed files' keys.
    const putKeys = resourcesOf('s3:PutObject').map((r: any) => {
      expect(referencedIds(r)).toEqual([bucketId]);
      return (r['Fn::Join'][1] as unknown[]).at(-1);
    });
    const built = s.stack.console.build.files.map((f) => f.name);
    expect(putKeys.sort()).toEqual([...built, CONSOLE_CONFIG_FILE].map((n) => `/${n}`).sort());
    // Reads exactly the source archives of the two deployments.
    const { HashedFiles, Pages } = deploymentsOf(s);
    const sourceKeys = [HashedFiles, Pages].flatMap((d) => d.Properties!.SourceObjectKeys as string[]);
    const getKeys = resourcesOf('s3:GetObject').map((r: any) => (r['Fn::Join'][1] as string[]).at(-1));
    expect(getKeys.sort()).toEqual(sourceKeys.map((k) => `/${k}`).sort());
    expect(referencedIds(resourcesOf('cloudfront:CreateInvalidation'))).toEqual([distributionId]);
    expect(referencedIds(resourcesOf('logs:PutLogEvents'))).toEqual([fn.Properties!.LoggingConfig.LogGroup.Ref]);
    expect(asArray(fn.DependsOn)).toContain(roleId);
  });

  it('keeps one AWS CLI layer, the one the deployment function uses', () => {
    const layers = resourcesOfType(s.json, 'AWS::Lambda::LayerVersion').map(([id]) => id);
    const used = resourcesOfType(s.json, 'AWS::Lambda::Function').flatMap(([, f]) =>
      referencedIds(f.Properties!.Layers ?? []),
    );
    expect(layers).toHaveLength(1);
    expect(used).toEqual(layers);
  });

  it('outputs ConsoleUrl: https:// and the distribution domain', () => {
    expect(s.json.Outputs!.ConsoleUrl!.Value).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]],
    });
  });

  it("acknowledges the default certificate's TLS floor and the missing web ACL with their remedies, nothing else", () => {
    const acks = acknowledgementsOf(s.stack.console.distribution);
    const ids = acks.map(([id]) => id.replace(/^annotation::/i, '')).sort();
    expect(ids).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4']);
    const reason = (id: string) => acks.find(([k]) => k.endsWith(id))![1];
    expect(reason('CFR4')).toMatch(/consoleDomainName.*consoleCertificateArn/);
    expect(reason('CFR2')).toMatch(/consoleWebAclArn/);
  });
});

describe('the console on its own domain, with a web ACL, access tokens and another token host', () => {
  let s: SynthesizedStage;

  beforeAll(async () => {
    await settleRunner();
    s = synthStage({
      consoleDomainName: 'Console.Acme.Example',
      consoleCertificateArn: CERTIFICATE_ARN,
      consoleWebAclArn: WEB_ACL_ARN,
      consoleTokenUse: 'access_token',
      consoleClientId: 'console-client',
      consoleScopes: 'openid email modos/api',
      consoleConnectOrigins: TOKEN_ORIGIN,
    });
  }, SYNTH_TIMEOUT_MS);

  it('answers the custom domain with the us-east-1 certificate, SNI and TLS 1.2 at least, behind the web ACL', () => {
    const d = distributionOf(s);
    expect(d.Aliases).toEqual(['console.acme.example']);
    expect(d.ViewerCertificate).toEqual({
      AcmCertificateArn: CERTIFICATE_ARN,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(d.WebACLId).toBe(WEB_ACL_ARN);
    expect(s.json.Outputs!.ConsoleUrl!.Value).toBe('https://console.acme.example');
    // cdk-nag passes CFR2 and CFR4 on their merits here: nothing acknowledges them.
    const acked = acknowledgementsOf(s.stack.console.distribution).map(([id]) => id);
    expect(acked.filter((id) => /CFR[24]/.test(id))).toEqual([]);
    expect(s.validationReport.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
  });

  it('lets the page call the listed token host besides the issuer, and signs in for an access token', () => {
    const policyId = s.logicalId(s.stack.console.responseHeadersPolicy);
    const config = s.json.Resources[policyId]!.Properties!.ResponseHeadersPolicyConfig;
    expect(headersOfPolicy(config)).toEqual(
      consoleSecurityHeaders({ connectSrc: ['https://idp.example.com', TOKEN_ORIGIN] }),
    );
    expect(consoleConfigOf(s.config).signIn).toEqual({
      mode: 'oidc',
      issuer: IDP.jwtIssuer,
      clientId: 'console-client',
      scopes: 'openid email modos/api',
      tokenUse: 'access_token',
    });
  });
});

describe('response headers a CloudFront policy cannot send', () => {
  it.each([
    ['x-frame-options', 'ALLOW-FROM https://a.example'],
    ['referrer-policy', 'no-referrer-please'],
    ['strict-transport-security', 'max-age=1; includeSubDomains; something'],
    ['x-content-type-options', 'sniff'],
    ['x-xss-protection', '1; mode=block'],
  ])('fails synthesis on %s: %s', (name, value) => {
    expect(() => responseHeadersOf({ [name]: value })).toThrow(new RegExp(`console header ${name}`));
  });

  it('sends a header that is not a CloudFront security header as a custom header', () => {
    expect(responseHeadersOf({ 'cross-origin-resource-policy': 'same-origin' }).customHeadersBehavior).toEqual({
      customHeaders: [{ header: 'cross-origin-resource-policy', value: 'same-origin', override: true }],
    });
  });
});

describe('console stage settings', () => {
  const prod = {
    stage: 'acme-prod',
    tenants: 'acme',
    jwtIssuer: 'https://login.acme.example/',
    jwksUrl: 'https://login.acme.example/jwks',
    jwtAudience: 'console-client',
  };
  const read = (ctx: Record<string, unknown>) => stageConfigFromContext((k) => ctx[k]);

  it('fails synthesis of a non-dev stage without the console client, naming -c consoleClientId=', () => {
    expect(() => read(prod)).toThrow(StageConfigError);
    expect(() => read(prod)).toThrow(/stage "acme-prod" needs the console's client.*-c consoleClientId=/);
    expect(() => createModosApp({ context: { ...cdkJsonContext(), ...prod } })).toThrow(/-c consoleClientId=/);
  });

  it('gives the dev stage a placeholder client and the default scopes and token', () => {
    const c = read({});
    expect(c).toMatchObject({
      consoleClientId: DEV_CONSOLE_PLACEHOLDERS.consoleClientId,
      consoleClientIdIsPlaceholder: true,
      consoleScopes: 'openid profile email',
      consoleTokenUse: 'id_token',
      consoleDomain: undefined,
      consoleWebAclArn: undefined,
      consoleConnectOrigins: [],
    });
    expect(read({ ...prod, consoleClientId: 'console-client' }).consoleClientIdIsPlaceholder).toBe(false);
  });

  it("refuses an ID token whose audience (the client id) is not the API's audience, and accepts access tokens", () => {
    expect(() => read({ ...prod, consoleClientId: 'other-client' })).toThrow(
      /jwtAudience must equal -c consoleClientId.*consoleTokenUse=access_token/,
    );
    expect(read({ ...prod, consoleClientId: 'other-client', consoleTokenUse: 'access_token' })).toMatchObject({
      consoleClientId: 'other-client',
      consoleTokenUse: 'access_token',
    });
    expect(() => read({ ...prod, consoleClientId: 'console-client', consoleTokenUse: 'jwt' })).toThrow(
      /"consoleTokenUse" must be id_token or access_token/,
    );
  });

  it('needs openid among well-formed scopes', () => {
    const ok = { ...prod, consoleClientId: 'console-client' };
    expect(() => read({ ...ok, consoleScopes: 'profile email' })).toThrow(/"consoleScopes" must include openid/);
    expect(() => read({ ...ok, consoleScopes: 'openid "quoted"' })).toThrow(/"\\"quoted\\"" is not an OAuth scope/);
    expect(read({ ...ok, consoleScopes: '  openid   email openid ' }).consoleScopes).toBe('openid email');
  });

  it('takes a custom domain only with a us-east-1 certificate, and a web ACL only of CloudFront scope', () => {
    const ok = { ...prod, consoleClientId: 'console-client' };
    expect(() => read({ ...ok, consoleDomainName: 'console.acme.example' })).toThrow(
      /needs both -c consoleDomainName=.* -c consoleCertificateArn=/,
    );
    expect(() => read({ ...ok, consoleCertificateArn: CERTIFICATE_ARN })).toThrow(/needs both/);
    expect(() =>
      read({
        ...ok,
        consoleDomainName: 'console.acme.example',
        consoleCertificateArn: CERTIFICATE_ARN.replace('us-east-1', 'eu-west-1'),
      }),
    ).toThrow(/"consoleCertificateArn" must be an ACM certificate ARN in us-east-1/);
    for (const bad of ['*.acme.example', 'console', 'https://console.acme.example', 'con sole.acme.example'])
      expect(() => read({ ...ok, consoleDomainName: bad, consoleCertificateArn: CERTIFICATE_ARN }), bad).toThrow(
        /"consoleDomainName" must be a host name/,
      );
    expect(
      read({ ...ok, consoleDomainName: 'Console.Acme.Example', consoleCertificateArn: CERTIFICATE_ARN }).consoleDomain,
    ).toEqual({ name: 'console.acme.example', certificateArn: CERTIFICATE_ARN });
    expect(() => read({ ...ok, consoleWebAclArn: WEB_ACL_ARN.replace('global', 'regional') })).toThrow(
      /"consoleWebAclArn" must be the ARN of a CLOUDFRONT-scope/,
    );
    expect(read({ ...ok, consoleWebAclArn: WEB_ACL_ARN }).consoleWebAclArn).toBe(WEB_ACL_ARN);
  });

  it('takes extra connect origins as https origins only', () => {
    const ok = { ...prod, consoleClientId: 'console-client' };
    expect(read({ ...ok, consoleConnectOrigins: `${TOKEN_ORIGIN}/, https://b.example` }).consoleConnectOrigins).toEqual(
      [TOKEN_ORIGIN, 'https://b.example'],
    );
    expect(() => read({ ...ok, consoleConnectOrigins: 'http://b.example' })).toThrow(/consoleConnectOrigins.*https/);
    expect(() => read({ ...ok, consoleConnectOrigins: 'https://b.example/oauth2' })).toThrow(/is not an origin/);
  });
});

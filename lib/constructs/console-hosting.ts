/**
 * The operator console in AWS: the static build of console/ (console/build.ts) in a private bucket, served by a
 * CloudFront distribution that reaches the bucket through origin access control and routes `/api/*` to the stage's
 * REST API, so the console calls its own origin (no CORS) exactly as it does on the local platform.
 *
 * - Bucket: SSE-S3, TLS-only policy, all public access blocked, bucket-owner-enforced ownership, server access logs;
 *   readable by this distribution only (OAC, `AWS:SourceArn` condition). RETAINed like every bucket of the stage.
 * - Default behaviour: the bucket, HTTPS (HTTP redirected), `index.html` at `/`, HTTP/2 and HTTP/3, compressed,
 *   CloudFront's CachingOptimized policy honouring each object's Cache-Control (console/headers.ts `cacheControlOf`:
 *   hashed `app-*.js|css` a year and immutable, `index.html` and `config.json` no-cache).
 * - `/api/*`: the REST API's stage, HTTPS only, every method, caching disabled, every viewer header but Host
 *   forwarded (Authorization included: CloudFront forwards it to an uncached behaviour with this policy).
 * - Both behaviours answer with the security headers of console/headers.ts, the content security policy allowing
 *   calls to the stage's identity provider only.
 * - Standard access logs of the distribution and the bucket's server access logs go to one log bucket.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Duration, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { ConsoleBuild } from '../../console/build.js';
import { cacheControlOf } from '../../console/headers.js';
import type { ConsoleConfig } from '../../console/src/config.js';

/** Where the console's runtime configuration is, next to `index.html` (console/src/config.ts). */
export const CONSOLE_CONFIG_FILE = 'config.json';

/** The distribution's paths that change on a deploy and are cached under their own key (`/` is `index.html`). */
export const INVALIDATED_PATHS = ['/', '/index.html', `/${CONSOLE_CONFIG_FILE}`] as const;

/** The path pattern of the behaviour that routes to the REST API (the console's apiBase lives under it). */
export const API_PATH_PATTERN = '/api/*';

/**
 * Runs console/build.ts `buildConsole({ outDir })` in a child Node process (tsx loads the TypeScript) and returns
 * what it built. Synthesis is synchronous and the build is asynchronous (esbuild's `build`); a child process whose
 * end synthesis waits for is the one way to call it from a construct. The child's errors (a console that does not
 * compile) fail synthesis with esbuild's message.
 */
export function buildConsoleForSynth(projectRoot: string, outDir: string): ConsoleBuild {
  const module = pathToFileURL(join(projectRoot, 'console/build.ts')).href;
  const script = [
    `const { buildConsole } = await import(${JSON.stringify(module)});`,
    `const built = await buildConsole({ outDir: ${JSON.stringify(outDir)} });`,
    'process.stdout.write(JSON.stringify(built));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
    cwd: projectRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out) as ConsoleBuild;
}

/** CloudFront's security-header names: a response headers policy must set these through its security behaviour. */
const CLOUDFRONT_SECURITY_HEADERS = new Set([
  'content-security-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'x-xss-protection',
]);

/**
 * A response headers policy's behaviours that send exactly `headers` (lower-case names, as consoleSecurityHeaders
 * returns them), overriding whatever the origin sent. A value CloudFront cannot express fails synthesis.
 */
export function responseHeadersOf(headers: Record<string, string>): {
  securityHeadersBehavior: cloudfront.ResponseSecurityHeadersBehavior;
  customHeadersBehavior: cloudfront.ResponseCustomHeadersBehavior;
} {
  const security: {
    -readonly [K in keyof cloudfront.ResponseSecurityHeadersBehavior]: cloudfront.ResponseSecurityHeadersBehavior[K];
  } = {};
  const custom: cloudfront.ResponseCustomHeader[] = [];
  const refuse = (name: string, value: string): never => {
    throw new Error(
      `console header ${name}: ${JSON.stringify(value)} cannot be sent by a CloudFront response headers policy`,
    );
  };
  for (const [name, value] of Object.entries(headers)) {
    switch (name) {
      case 'content-security-policy':
        security.contentSecurityPolicy = { contentSecurityPolicy: value, override: true };
        break;
      case 'strict-transport-security': {
        const [maxAge, ...flags] = value.split(/\s*;\s*/);
        const seconds = /^max-age=(\d+)$/.exec(maxAge ?? '')?.[1];
        if (seconds === undefined || flags.some((f) => f !== 'includeSubDomains' && f !== 'preload'))
          refuse(name, value);
        security.strictTransportSecurity = {
          accessControlMaxAge: Duration.seconds(Number(seconds)),
          includeSubdomains: flags.includes('includeSubDomains'),
          preload: flags.includes('preload'),
          override: true,
        };
        break;
      }
      case 'x-content-type-options':
        if (value !== 'nosniff') refuse(name, value);
        security.contentTypeOptions = { override: true };
        break;
      case 'x-frame-options': {
        const option = Object.values(cloudfront.HeadersFrameOption).find((o) => o === value);
        if (!option) refuse(name, value);
        security.frameOptions = { frameOption: option!, override: true };
        break;
      }
      case 'referrer-policy': {
        const policy = Object.values(cloudfront.HeadersReferrerPolicy).find((p) => p === value);
        if (!policy) refuse(name, value);
        security.referrerPolicy = { referrerPolicy: policy!, override: true };
        break;
      }
      default:
        if (CLOUDFRONT_SECURITY_HEADERS.has(name)) refuse(name, value);
        custom.push({ header: name, value, override: true });
    }
  }
  return { securityHeadersBehavior: security, customHeadersBehavior: { customHeaders: custom } };
}

/** The two cache classes of console/headers.ts `cacheControlOf`, each deployed by its own BucketDeployment. */
const CACHE_CLASSES = [
  { id: 'HashedFiles', matches: (cc: string) => cc.includes('immutable') },
  { id: 'Pages', matches: (cc: string) => cc === 'no-cache' },
] as const;

export interface ConsoleHostingProps {
  stage: string;
  /** Repository root: console/build.ts is run from here. */
  projectRoot: string;
  /** The stage's REST API, reached under API_PATH_PATTERN. */
  api: apigw.RestApi;
  /** What `/config.json` says (console/src/config.ts). */
  config: ConsoleConfig;
  /** console/headers.ts `consoleSecurityHeaders({ connectSrc })`: what every response carries. */
  securityHeaders: Record<string, string>;
  /** The console's own domain, with its ACM certificate in us-east-1. Without: the distribution's own domain. */
  domain?: { name: string; certificateArn: string };
  /** A CLOUDFRONT-scope web ACL for the distribution (it lives in us-east-1, outside this stack). */
  webAclArn?: string;
  /** Days the log bucket keeps the distribution's and the bucket's access logs. */
  accessLogRetentionDays: number;
  /** Retention of the log group of the deployment function (the custom resource copying the build). */
  logRetention: logs.RetentionDays;
  retainLogs: boolean;
}

/** See the file header. */
export class ConsoleHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly logs: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** `https://<custom domain>` or `https://<distribution domain>`: the OIDC redirect URI is this plus `/`. */
  readonly url: string;
  /** The build deployed (file names, sizes). */
  readonly build: ConsoleBuild;
  /** One deployment per cache class, by CACHE_CLASSES id. */
  readonly deployments = new Map<string, s3deploy.BucketDeployment>();
  /** The function of the deployments (aws-cdk-lib's BucketDeployment handler, one per stack). */
  readonly deploymentFunction: lambda.Function;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);

    this.logs = new s3.Bucket(this, 'Logs', {
      // S3 server access logging can only deliver to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logs are delivered with an object ACL granting the bucket owner full control, so this
      // bucket must accept ACLs (the grant is to the owner, not public, so BLOCK_ALL still holds).
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // cdk-nag's S1 recognises a bucket that receives server access logs (the console bucket's), so no suppression.

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'console-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const headers = responseHeadersOf(props.securityHeaders);
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: `modos-${props.stage}-console`,
      comment: `modos ${props.stage} console: console/headers.ts consoleSecurityHeaders()`,
      ...headers,
    });

    const certificate = props.domain
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn)
      : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `modos ${props.stage} console`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(props.domain
        ? {
            domainNames: [props.domain.name],
            certificate,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            sslSupportMethod: cloudfront.SSLMethod.SNI,
          }
        : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'distribution/',
      logIncludesCookies: false,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
      additionalBehaviors: {
        [API_PATH_PATTERN]: {
          origin: new origins.RestApiOrigin(props.api, { originPath: `/${props.api.deploymentStage.stageName}` }),
          // A redirect would drop a POST's body: plain HTTP is refused instead.
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.responseHeadersPolicy,
          compress: true,
        },
      },
    });
    this.acknowledgeDistribution(props);

    this.url = props.domain ? `https://${props.domain.name}` : `https://${this.distribution.distributionDomainName}`;

    this.build = buildConsoleForSynth(props.projectRoot, join(Stage.of(this)!.outdir, `console-${props.stage}`));
    this.deploymentFunction = this.deploy(props);
  }

  /**
   * Copies the build into the bucket: hashed files first (immutable), then the pages naming them (no-cache), then
   * invalidates the pages. The deployment function's role holds exactly what its two copies do (get each source
   * archive, list the bucket, put each file, invalidate this distribution, write its log group): the deployments get
   * the role without policy updates, so BucketDeployment's own wider grants (`s3:GetObject*`, `s3:List*`,
   * `s3:DeleteObject*` on `/*`, `cloudfront:*Invalidation` on `*`) never reach it.
   */
  private deploy(props: ConsoleHostingProps): lambda.Function {
    const built = this.build.files.map((f) => f.name);
    const classOf = (name: string) => {
      const cacheControl = cacheControlOf(name);
      const c = CACHE_CLASSES.find((k) => k.matches(cacheControl));
      if (!c) throw new Error(`console file ${name}: cache policy ${JSON.stringify(cacheControl)} has no deployment`);
      return { id: c.id, cacheControl };
    };
    if (classOf(CONSOLE_CONFIG_FILE).id !== 'Pages') throw new Error(`${CONSOLE_CONFIG_FILE} must not be cached`);
    if (built.includes(CONSOLE_CONFIG_FILE))
      throw new Error(`the console build must not contain ${CONSOLE_CONFIG_FILE}`);

    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const grants = new iam.PolicyDocument();
    const role = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `modos ${props.stage}: copies the console build into the console bucket`,
      inlinePolicies: { Grants: grants },
    });
    const frozen = role.withoutPolicyUpdates();
    const allow = (actions: string[], resources: string[]) =>
      grants.addStatements(new iam.PolicyStatement({ actions, resources }));
    allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroup.logGroupArn]);
    allow(['s3:ListBucket'], [this.bucket.bucketArn]);
    allow(
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      [...built, CONSOLE_CONFIG_FILE].map((n) => this.bucket.arnForObjects(n)),
    );
    allow(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'], [this.distribution.distributionArn]);

    /** A source bound here (its asset created in this scope), so its archive's object is known to the role. */
    const bound = (source: s3deploy.ISource): s3deploy.ISource => {
      const config = source.bind(this, { handlerRole: frozen });
      allow(['s3:GetObject'], [config.bucket.arnForObjects(config.zipObjectKey)]);
      return { bind: () => config };
    };

    let previous: s3deploy.BucketDeployment | undefined;
    for (const cacheClass of CACHE_CLASSES) {
      const files = built.filter((n) => classOf(n).id === cacheClass.id);
      const withConfig = cacheClass.id === 'Pages';
      if (!files.length && !withConfig) continue;
      const sources = [
        ...(files.length
          ? [bound(s3deploy.Source.asset(this.build.outDir, { exclude: built.filter((n) => !files.includes(n)) }))]
          : []),
        ...(withConfig ? [bound(s3deploy.Source.jsonData(CONSOLE_CONFIG_FILE, props.config))] : []),
      ];
      const deployment = new s3deploy.BucketDeployment(this, `Deploy${cacheClass.id}`, {
        sources,
        destinationBucket: this.bucket,
        cacheControl: [s3deploy.CacheControl.fromString(classOf(files[0] ?? CONSOLE_CONFIG_FILE).cacheControl)],
        // Every deployment writes into the same bucket root, and a page still open names the hashed files of its own
        // build: nothing is deleted (old hashed files are a few hundred KB per release).
        prune: false,
        retainOnDelete: true,
        outputObjectKeys: false,
        role: frozen,
        logGroup,
        memoryLimit: 256,
        ...(withConfig ? { distribution: this.distribution, distributionPaths: [...INVALIDATED_PATHS] } : {}),
      });
      if (previous) {
        // Pages after the files they name, so a browser never gets an index.html whose script is not there yet.
        deployment.node.addDependency(previous);
        // Each BucketDeployment declares an AWS CLI layer, but the one function they share uses the first one's.
        deployment.node.tryRemoveChild('AwsCliLayer');
      }
      previous = deployment;
      this.deployments.set(cacheClass.id, deployment);
    }

    // The function all BucketDeployments of the stack share (a singleton at stack level, named by its memory size).
    const handler = Stack.of(this)
      .node.children.filter((c): c is lambda.Function => c instanceof lambda.Function)
      .find((f) => f.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) throw new Error('no BucketDeployment function in the stack');
    // Its role's statements before its first invocation (the role's inline policy is part of the role).
    handler.node.addDependency(role);
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `The console deployment function is aws-cdk-lib's BucketDeployment handler: its Python runtime (${handler.runtime.name}) is set by aws-cdk-lib together with the AWS CLI layer it runs, not by this project, and moves with aws-cdk-lib upgrades. It runs only during deployments, never on a request.`,
    });
    return handler;
  }

  private acknowledgeDistribution(props: ConsoleHostingProps): void {
    const v = Validations.of(this.distribution);
    v.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'The console is for the tenant stage operators wherever they work; it serves only static files and the API behind /api/* still requires a valid tenant JWT, so a geographic restriction would block legitimate users and protect nothing the JWT does not.',
    });
    if (!props.webAclArn)
      v.acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'A CloudFront web ACL must be created in us-east-1 and this stack deploys to the stage region, so it is attached from outside with -c consoleWebAclArn=. Without one, the /api/* behaviour still passes the regional web ACL of the API stage (its managed rule sets; its per-IP rate rule then counts the CloudFront edge addresses, not users, so the per-tenant usage plan is what limits console traffic) and the default behaviour serves only public static files.',
      });
    if (!props.domain)
      v.acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          "Without a custom domain the distribution answers on *.cloudfront.net with CloudFront's default certificate, whose security policy is fixed at TLSv1 by CloudFront whatever the template asks. Pass -c consoleDomainName= and -c consoleCertificateArn= (an ACM certificate in us-east-1) for TLS 1.2 at least (TLSv1.2_2021).",
      });
  }
}

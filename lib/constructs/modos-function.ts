import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { iamPatterns } from '../../functions/platform/blob-areas.js';
import { scheduleGroupEnv } from '../../functions/platform/bindings.js';
import {
  scheduleGroupOf,
  type BucketBinding,
  type FunctionSpec,
  type TableAccess,
} from '../../functions/platform/manifest.js';
import { LAMBDA_BUNDLING } from '../../functions/platform/bundling.js';
import { afterBundlingCommands } from '../bundle-assets.js';
import { pascalOf, SCHEDULER_ACTIONS, type ScheduleGroupResources } from './schedule-group-resources.js';

/** DynamoDB actions a function may use, by access level. TransactWriteItems is authorised per item action. */
export const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
} as const;

/**
 * S3 object actions by access level, granted on the function's own areas only. `write` includes
 * AbortMultipartUpload (a failed streamed upload cleans up its parts); Create/UploadPart/Complete are PutObject.
 */
export const BUCKET_ACTIONS = {
  read: ['s3:GetObject'],
  // PutObjectTagging: a put that carries tags (the retention tag of expiring areas) needs it besides PutObject.
  write: ['s3:PutObject', 's3:PutObjectTagging', 's3:DeleteObject', 's3:AbortMultipartUpload'],
} as const;

/**
 * Step Functions task-token callbacks. They have no resource-level permissions (the token names the
 * task), so they are the only statement of a function role with Resource "*" besides X-Ray.
 */
export const SFN_CALLBACK_ACTIONS = [
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
] as const;

/** Name of the one inline policy that holds every grant of a function's role. */
export const GRANTS_POLICY_NAME = 'Grants';

/**
 * A role whose grants are an inline policy of the AWS::IAM::Role itself instead of a separate AWS::IAM::Policy
 * (CDK's DefaultPolicy). IAM keeps both the same way, as inline policies of the role under the same size quota, so
 * the permissions are identical; the stack holds one resource fewer per function (CloudFormation's 500-resource
 * limit, docs/deploy.md). Every grant reaches it through addToPrincipalPolicy: the bind* methods, X-Ray tracing,
 * asynchronous-invocation destinations, event sources and key grants alike.
 *
 * The policy's name differs from any DefaultPolicy's, so a stage updated from separate policies creates this one
 * before CloudFormation deletes the old resource, and that deletion cannot remove it.
 */
class InlineGrantsRole extends iam.Role {
  private readonly grantsDocument: iam.PolicyDocument;

  constructor(scope: Construct, id: string, props: Omit<iam.RoleProps, 'inlinePolicies'>) {
    const grants = new iam.PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { [GRANTS_POLICY_NAME]: grants } });
    this.grantsDocument = grants;
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.grantsDocument.addStatements(statement);
    // The statement exists as soon as the role does: whatever must wait for the grant waits for the role.
    return { statementAdded: true, policyDependable: this };
  }
}

/** Longest Lambda function name. */
const MAX_FUNCTION_NAME = 64;

export interface ModosFunctionProps {
  spec: FunctionSpec;
  /** Absolute path of the repository root (holds package-lock.json and the handler entries). */
  projectRoot: string;
  stage: string;
  logLevel: string;
  logRetention: logs.RetentionDays;
  /** Of the function's log group. */
  logRemovalPolicy: RemovalPolicy;
}

/**
 * One Lambda of the manifest: a NodejsFunction (nodejs22.x, arm64, ESM bundle with source maps,
 * JSON logs into its own log group with retention) and its own role that starts with no permission
 * but writing its logs and traces.
 *
 * Every resource a handler reaches is bound through a `bind*` method (table, bucket, bus, state
 * machine, callback key), which sets the env var the config module reads AND the least-privilege
 * grant in one call, so the two cannot drift apart (a variable without its grant, or a grant nobody
 * uses).
 *
 * Functions with `webhooks: true` call customer URLs over the internet. They run outside any VPC:
 * the handler code refuses private, loopback and metadata addresses and pins the resolved address,
 * and ALLOW_HTTP_LOOPBACK_WEBHOOKS (local runtime only) is never set here (test/infra checks it).
 *
 * Tenant isolation: these roles are shared by every tenant of the stage (a tenant stage may still host
 * several tenant ids). The handlers take the tenant id only from the token the authorizer verified
 * and every key starts with `T#<tenantId>#`, but IAM does NOT confine a single request to its tenant
 * yet: that needs a per-request session policy with `dynamodb:LeadingKeys` = `T#<tenantId>#*`
 * (STS AssumeRole with a session policy, cached per tenant). We do not pretend otherwise here.
 */
export class ModosFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly spec: FunctionSpec;
  /**
   * The function's ARN built from its name, set only for a function that is the target of a schedule group it
   * writes (SignalDeadline re-arms deadlines that invoke itself): its own `functionArn` in its environment would
   * make the function depend on itself.
   */
  readonly ownArn: string | undefined;
  private readonly bound = new Set<string>();

  constructor(scope: Construct, id: string, props: ModosFunctionProps) {
    super(scope, id);
    const { spec } = props;
    this.spec = spec;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy lets the function write
    // to every log group of the account, this one only to its own.
    this.role = new InlineGrantsRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `modos ${props.stage} ${spec.name}: ${spec.description}`.slice(0, 1000),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    // A function that schedules itself needs its ARN without a reference to itself: it gets a name, so the ARN is
    // known before the function exists. Every other function keeps a generated name.
    const schedulesItself = (spec.schedules ?? []).some((g) => scheduleGroupOf(g).target === spec.name);
    const functionName = schedulesItself ? `modos-${props.stage}-${spec.name}` : undefined;
    if (functionName && functionName.length > MAX_FUNCTION_NAME)
      throw new Error(`${spec.name}: the function name ${functionName} is longer than ${MAX_FUNCTION_NAME} characters`);
    this.ownArn = functionName
      ? Stack.of(this).formatArn({
          service: 'lambda',
          resource: 'function',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          resourceName: functionName,
        })
      : undefined;

    this.function = new NodejsFunction(this, 'Handler', {
      ...(functionName ? { functionName } : {}),
      entry: path.join(props.projectRoot, spec.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      description: spec.description,
      // Pinned to the Node major the local runtime uses (package.json `node` devDependency), so both
      // runtimes execute the same engine.
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb ?? 512,
      timeout: Duration.seconds(spec.timeoutSeconds ?? 10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[props.logLevel as keyof typeof lambda.ApplicationLogLevel],
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        STAGE: props.stage,
        LOG_LEVEL: props.logLevel,
        POWERTOOLS_SERVICE_NAME: 'modos',
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
        NODE_OPTIONS: '--enable-source-maps',
        // The manifest entry: the config module checks at init that every binding's variable is set.
        MODOS_FUNCTION: spec.name,
      },
      bundling: {
        // Same esbuild settings as functions/platform/bundling.ts (measured by npm run bench:bundles).
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLING.target,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        minify: LAMBDA_BUNDLING.minify,
        keepNames: LAMBDA_BUNDLING.keepNames,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the SDK clients at the versions package-lock.json pins (the ones the tests ran
        // against) rather than whatever version the Lambda runtime ships.
        bundleAwsSDK: true,
        // CommonJS dependencies bundled into an ESM file still call require() for Node built-ins.
        banner: LAMBDA_BUNDLING.banner.js,
        // The env credential provider in place of the node chain (see bundling.ts).
        esbuildArgs: Object.fromEntries(
          Object.entries(LAMBDA_BUNDLING.alias).map(([from, to]) => [
            `--alias:${from}`,
            path.join(props.projectRoot, to),
          ]),
        ),
        // Data files the bundle reads at run time, next to index.mjs when the bundle names them (lib/bundle-assets.ts;
        // local/lambda/bundles.ts runs the same copy).
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => afterBundlingCommands(inputDir, outputDir),
        },
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only actions without resource-level permissions get Resource "*": xray:PutTraceSegments and xray:PutTelemetryRecords (Tracing.ACTIVE), on stream consumers dynamodb:ListStreams (added by DynamoEventSource), and on functions with sfn callbacks states:SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat (authorised by the task token, not by a resource ARN). test/infra asserts "*" never carries any other action.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is pinned on purpose: it is the Node major of the local runtime and the test suite (package.json node@22); raise both together.',
    });
  }

  /** Sets an env var once; binding the same resource twice is a wiring mistake. */
  private setEnv(name: string, value: string): void {
    if (this.bound.has(name)) throw new Error(`${this.spec.name}: ${name} is already bound`);
    this.bound.add(name);
    this.function.addEnvironment(name, value);
  }

  /**
   * TABLE_NAME + item-level grants on the table and Query on each index.
   * `read`: GetItem, BatchGetItem, Query, ConditionCheckItem. `write` adds PutItem, UpdateItem,
   * DeleteItem, which is what TransactWriteItems checks per item. No Scan, no table-level actions.
   */
  bindTable(table: dynamodb.ITable, access: TableAccess, indexNames: readonly string[]): this {
    this.setEnv('TABLE_NAME', table.tableName);
    const actions = access === 'write' ? [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.write] : [...TABLE_ACTIONS.read];
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: `Table${cap(access)}Items`, actions, resources: [table.tableArn] }),
    );
    if (indexNames.length) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'TableQueryIndexes',
          actions: ['dynamodb:Query'],
          resources: indexNames.map((name) => `${table.tableArn}/index/${name}`),
        }),
      );
    }
    return this;
  }

  /**
   * BUCKET_NAME + grants on the function's own areas of the bucket, for every tenant (`t/<tenant>/<area>...`):
   * object actions (`read`: GetObject, which HeadObject uses too; `write` adds PutObject, DeleteObject and
   * AbortMultipartUpload) on `t/<any tenant>/<area>` objects only, and ListBucket only with an `s3:prefix` of
   * those areas. The key's use too if the bucket is KMS-encrypted. Nothing outside the listed areas.
   */
  bindBucket(bucket: s3.IBucket, binding: BucketBinding): this {
    const { access, prefixes } = binding;
    if (prefixes.length === 0) throw new Error(`${this.spec.name}: a bucket binding needs at least one prefix`);
    if (new Set(prefixes).size !== prefixes.length)
      throw new Error(`${this.spec.name}: a bucket binding lists a prefix twice`);
    this.setEnv('BUCKET_NAME', bucket.bucketName);
    const patterns = prefixes.map(iamPatterns);
    const actions = access === 'write' ? [...BUCKET_ACTIONS.read, ...BUCKET_ACTIONS.write] : [...BUCKET_ACTIONS.read];
    const objectResources = patterns.map((p) => bucket.arnForObjects(p.objects));
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: `Bucket${cap(access)}OwnAreas`, actions, resources: objectResources }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'BucketListOwnAreas',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': patterns.map((p) => p.listPrefix) } },
      }),
    );
    // What S3 asks of the key for the caller: a data key to write (multipart parts too), Decrypt to read and
    // to complete multipart uploads. No ReEncrypt, no wildcard actions.
    if (bucket.encryptionKey)
      bucket.encryptionKey.grant(
        this.role,
        ...(access === 'write' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt']),
      );
    const bucketId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    for (const p of patterns) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${p.objects}]`,
        reason:
          "Object keys are created at run time under t/<tenant id>/<area>/: the grant is this function's own area of every tenant of the stage, in this one bucket (functions/adapters/s3/keys.ts).",
      });
    }
    return this;
  }

  /** EVENT_BUS_NAME + events:PutEvents on that bus only. */
  bindBus(bus: events.IEventBus): this {
    this.setEnv('EVENT_BUS_NAME', bus.eventBusName);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PutEventsOnPlatformBus',
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
      }),
    );
    return this;
  }

  /**
   * A state machine the function starts (manifest STATE_MACHINES `startedBy`): its ARN in the machine's
   * `arnVariable` + states:StartExecution on that state machine only.
   */
  bindStateMachine(stateMachine: sfn.IStateMachine, machine: { name: string; arnVariable: string }): this {
    this.setEnv(machine.arnVariable, stateMachine.stateMachineArn);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: `Start${machine.name}Executions`,
        actions: ['states:StartExecution'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    return this;
  }

  /**
   * Task-token callbacks (manifest STATE_MACHINES `callbacksFrom`): states:SendTaskSuccess /
   * SendTaskFailure / SendTaskHeartbeat, which IAM can only grant on "*" (the task token names the task).
   */
  bindTaskCallbacks(): this {
    if (this.bound.has('sfn:callbacks'))
      throw new Error(`${this.spec.name}: Step Functions callbacks are already bound`);
    this.bound.add('sfn:callbacks');
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'CompleteWorkflowTasks', actions: [...SFN_CALLBACK_ACTIONS], resources: ['*'] }),
    );
    return this;
  }

  /**
   * ANTHROPIC_API_KEY_SECRET_ARN + secretsmanager:GetSecretValue on that one secret; without a secret the value is
   * `offline` (the offline model) and the role gets no grant. The secret is given by ARN, so its key is not known
   * here: it must use the account's `aws/secretsmanager` key (docs/deploy.md), which needs no grant of its own.
   */
  bindModelKey(secretArn: string | undefined): this {
    this.setEnv('ANTHROPIC_API_KEY_SECRET_ARN', secretArn ?? 'offline');
    if (secretArn)
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadModelApiKey',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [secretArn],
        }),
      );
    return this;
  }

  /**
   * CALLBACK_KEY_SECRET_ARN + secretsmanager:GetSecretValue on that one secret (and decrypt on its key if
   * it has a customer-managed one). No DescribeSecret, no other secret.
   */
  bindCallbackKey(secret: secretsmanager.ISecret): this {
    this.setEnv('CALLBACK_KEY_SECRET_ARN', secret.secretArn);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadCallbackKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secret.secretArn],
      }),
    );
    secret.encryptionKey?.grantDecrypt(this.role);
    return this;
  }

  /**
   * A schedule group the function writes (manifest `schedules`): the group's four variables (bindings.ts
   * `scheduleGroupEnv`: group name, execution role, target and dead-letter queue) + scheduler:CreateSchedule /
   * UpdateSchedule / DeleteSchedule / GetSchedule on that group's schedules only, and iam:PassRole of that group's
   * execution role only, to Scheduler only.
   */
  bindScheduleGroup(schedules: ScheduleGroupResources): this {
    const env = scheduleGroupEnv(schedules.name);
    this.setEnv(env.group, schedules.groupName);
    this.setEnv(env.roleArn, schedules.role.roleArn);
    if (schedules.target === this.function && !this.ownArn)
      throw new Error(`${this.spec.name}: it is the target of ${schedules.name} but has no ARN of its own`);
    this.setEnv(env.targetArn, schedules.target === this.function ? this.ownArn! : schedules.target.functionArn);
    this.setEnv(env.deadLetterArn, schedules.deadLetterQueue.queueArn);
    const pascal = pascalOf(schedules.name);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: `Manage${pascal}Schedules`,
        actions: [...SCHEDULER_ACTIONS],
        resources: [schedules.schedulesArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: `Pass${pascal}ScheduleRole`,
        actions: ['iam:PassRole'],
        resources: [schedules.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${schedules.groupName}/*]`,
      reason: `Schedules are created at run time, named after the ids they serve: the grant is every schedule of this stage's one ${schedules.groupName} group, and only the four schedule actions.`,
    });
    return this;
  }

  /** PUBLIC_API_URL: the base URL approval callback links point to. Needs no grant. */
  bindPublicApiUrl(url: string): this {
    this.setEnv('PUBLIC_API_URL', url);
    return this;
  }

  /** JWT_ISSUER, JWT_AUDIENCE and JWKS_URL for the authorizer. Needs no grant: keys are fetched over HTTPS. */
  bindJwt(settings: { issuer: string; audience: string; jwksUrl: string }): this {
    this.setEnv('JWT_ISSUER', settings.issuer);
    this.setEnv('JWT_AUDIENCE', settings.audience);
    this.setEnv('JWKS_URL', settings.jwksUrl);
    return this;
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFINITION } from '../../functions/platform/table-definition.js';
import {
  EVENT_LOG_FIELDS,
  EVENT_RULES,
  EVENT_TARGET_RETRY,
  STREAM_CONSUMERS,
} from '../../functions/platform/manifest.js';
import { PlatformBus } from '../../lib/constructs/platform-bus.js';
import {
  referencedIds,
  resourcesOfType,
  settleRunner,
  synthStage,
  SYNTH_TIMEOUT_MS,
  type SynthesizedStage,
} from './support/synth.js';

let s: SynthesizedStage;

describe('event bus, table stream, table and bucket', () => {
  beforeAll(async () => {
    await settleRunner();
    s = synthStage();
  }, SYNTH_TIMEOUT_MS);

  describe('event bus', () => {
    it('is the custom bus modos-<stage>', () => {
      s.template.resourceCountIs('AWS::Events::EventBus', 1);
      s.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'modos-acme-test' });
    });

    it('carries exactly the EVENT_RULES, each with its pattern unchanged', () => {
      const busId = s.logicalId(s.stack.platformBus.bus);
      const rules = resourcesOfType(s.json, 'AWS::Events::Rule').map(([, r]) => r.Properties!);
      expect(rules.every((r) => r.EventBusName?.Ref === busId)).toBe(true);
      expect(rules.map((r) => ({ description: r.Description, pattern: r.EventPattern }))).toEqual(
        expect.arrayContaining(EVENT_RULES.map((r) => ({ description: r.description, pattern: r.pattern }))),
      );
      expect(rules).toHaveLength(EVENT_RULES.length);
    });

    it.each(EVENT_RULES.filter((r) => r.target.kind === 'log').map((r) => [r.name]))(
      '%s delivers to the /modos/<stage>/events log group, which EventBridge may write',
      (name) => {
        const rule = s.json.Resources[s.logicalId(s.stack.platformBus.rules.get(name)!)]!;
        const logGroupId = s.logicalId(s.stack.platformBus.eventLog);
        expect(rule.Properties!.Targets).toHaveLength(1);
        expect(referencedIds(rule.Properties!.Targets[0].Arn)).toEqual([logGroupId]);
        expect(s.json.Resources[logGroupId]!.Properties).toMatchObject({
          LogGroupName: '/modos/acme-test/events',
          RetentionInDays: expect.any(Number),
        });
        const [[policyId, policy]] = resourcesOfType(s.json, 'AWS::Logs::ResourcePolicy') as [[string, any]];
        const doc = JSON.stringify(policy.Properties.PolicyDocument);
        expect(doc).toContain('events.amazonaws.com');
        expect(referencedIds(policy.Properties.PolicyDocument)).toEqual([logGroupId]);
        expect(rule.DependsOn).toContain(policyId);
      },
    );

    it.each(EVENT_RULES.filter((r) => r.target.kind === 'log').map((r) => [r.name]))(
      '%s logs ids and names only (EVENT_LOG_FIELDS), never the payload',
      (name) => {
        const rule = s.json.Resources[s.logicalId(s.stack.platformBus.rules.get(name)!)]!;
        const transformer = rule.Properties!.Targets[0].InputTransformer;
        expect(transformer).toBeDefined();
        const paths = Object.values(transformer.InputPathsMap as Record<string, string>);
        expect(paths.sort()).toEqual(Object.values(EVENT_LOG_FIELDS).sort());
        expect(paths).not.toContain('$.detail');
        expect(paths.some((p) => p.includes('payload'))).toBe(false);
        expect(transformer.InputTemplate).toMatch(/^\{"timestamp":<time>,"message":"[^"]*"\}$/);
      },
    );
  });

  describe('rule targets: retries and dead letters', () => {
    const functionRules = EVENT_RULES.flatMap((r) =>
      r.target.kind === 'function' ? [[r.name, r.target.function] as const] : [],
    );
    const allRules = EVENT_RULES.map((r) => [r.name] as const);
    const targetOf = (name: string) => {
      const targets = s.json.Resources[s.logicalId(s.stack.platformBus.rules.get(name)!)]!.Properties!.Targets;
      expect(targets).toHaveLength(1);
      return targets[0];
    };
    const dlqIdOf = (name: string) => s.logicalId(s.stack.platformBus.deadLetterQueues.get(name)!);

    it('exist in the manifest, of both kinds (otherwise the checks below prove nothing)', () => {
      expect(functionRules.length).toBeGreaterThan(0);
      expect(EVENT_RULES.some((r) => r.target.kind === 'log')).toBe(true);
    });

    it.each(allRules)(
      '%s: its target has the manifest retry policy and a dead-letter queue, encrypted, kept 14 days, TLS only, that this rule may send to',
      (name) => {
        const ruleId = s.logicalId(s.stack.platformBus.rules.get(name)!);
        const target = targetOf(name);
        expect(target.RetryPolicy).toEqual({
          MaximumRetryAttempts: EVENT_TARGET_RETRY.retryPolicy.maximumRetryAttempts,
          MaximumEventAgeInSeconds: EVENT_TARGET_RETRY.retryPolicy.maximumEventAgeSeconds,
        });
        const queueId = referencedIds(target.DeadLetterConfig.Arn)[0]!;
        expect(queueId).toBe(dlqIdOf(name));
        const queue = s.json.Resources[queueId]!;
        expect(queue.Type).toBe('AWS::SQS::Queue');
        expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
        s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: queueId }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
              Match.objectLike({
                Effect: 'Allow',
                Action: 'sqs:SendMessage',
                Principal: { Service: 'events.amazonaws.com' },
                Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
              }),
            ]),
          },
        });
      },
    );

    it('gives each target resource (a function, the event log) its own dead-letter queue', () => {
      const targetKey = (r: (typeof EVENT_RULES)[number]) => (r.target.kind === 'function' ? r.target.function : 'log');
      const queueOfTarget = new Map<string, Set<string>>();
      for (const r of EVENT_RULES)
        queueOfTarget.set(targetKey(r), (queueOfTarget.get(targetKey(r)) ?? new Set()).add(dlqIdOf(r.name)));
      expect([...queueOfTarget.values()].every((ids) => ids.size === 1)).toBe(true);
      const queues = [...queueOfTarget.values()].flatMap((ids) => [...ids]);
      expect(new Set(queues).size).toBe(queueOfTarget.size);
    });

    it.each(functionRules)('%s invokes %s, and EventBridge may invoke it for this rule', (name, fn) => {
      const ruleId = s.logicalId(s.stack.platformBus.rules.get(name)!);
      const fnId = s.logicalId(s.stack.functions.get(fn)!.function);
      expect(targetOf(name).Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      s.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      });
    });

    it.each(functionRules)(
      '%s: handler errors of %s are retried by Lambda (the manifest handlerRetry), then land in the same dead-letter queue',
      (name, fn) => {
        const fnId = s.logicalId(s.stack.functions.get(fn)!.function);
        const configs = resourcesOfType(s.json, 'AWS::Lambda::EventInvokeConfig').filter(
          ([, c]) => c.Properties!.FunctionName.Ref === fnId,
        );
        expect(configs).toHaveLength(1);
        const p = configs[0]![1].Properties!;
        expect(p.MaximumRetryAttempts).toBe(EVENT_TARGET_RETRY.handlerRetry.maximumRetryAttempts);
        expect(p.MaximumEventAgeInSeconds).toBe(EVENT_TARGET_RETRY.handlerRetry.maximumEventAgeSeconds);
        expect(referencedIds(p.DestinationConfig.OnFailure.Destination)).toEqual([dlqIdOf(name)]);
      },
    );

    it('raises an alarm on every dead-letter queue as soon as it holds a message', () => {
      const queueIds = [...new Set(EVENT_RULES.map((r) => referencedIds(targetOf(r.name).DeadLetterConfig.Arn)[0]!))];
      expect(queueIds.length).toBeGreaterThan(1);
      for (const queueId of queueIds) {
        const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
          referencedIds(a.Properties!.Dimensions).includes(queueId),
        );
        expect(alarms, queueId).toHaveLength(1);
        expect(alarms[0]![1].Properties).toMatchObject({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 1,
        });
      }
    });

    it('PlatformBus alone: every target gets the retry policy and an alarmed, encrypted dead-letter queue, and passes cdk-nag', () => {
      const app = new App();
      const stack = new Stack(app, 'BusOnly');
      const fn = new lambda.Function(stack, 'Detector', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('export const handler = async () => {}'),
      });
      const pattern = { source: ['modos.entities'], 'detail-type': ['entity.created', 'entity.updated'] };
      new PlatformBus(stack, 'Events', {
        stage: 'x1',
        rules: [
          {
            name: 'DetectSignals',
            description: 'entity changes to the signal detector',
            pattern,
            target: { kind: 'function', function: 'Health' },
          },
          {
            name: 'Everything',
            description: 'every event into the log',
            pattern: { source: [{ prefix: 'modos.' }] },
            target: { kind: 'log' },
          },
        ],
        functions: () => fn,
        logRetention: logs.RetentionDays.ONE_WEEK,
        retain: false,
      });
      const t = Template.fromStack(stack);
      const retryPolicy = {
        MaximumRetryAttempts: EVENT_TARGET_RETRY.retryPolicy.maximumRetryAttempts,
        MaximumEventAgeInSeconds: EVENT_TARGET_RETRY.retryPolicy.maximumEventAgeSeconds,
      };
      for (const eventPattern of [pattern, { source: [{ prefix: 'modos.' }] }]) {
        t.hasResourceProperties('AWS::Events::Rule', {
          EventPattern: eventPattern,
          Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: retryPolicy })],
        });
      }
      t.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com' });
      t.resourceCountIs('AWS::SQS::Queue', 2);
      t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        MaximumRetryAttempts: Match.anyValue(),
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      });
      // The inline stand-in function's own findings (runtime, default role) are not the bus's.
      const findings = new AwsSolutionsChecks(app)
        .validateScope(app)
        .violations.filter(
          (v) => !v.ruleName.startsWith('AwsSolutions-L1') && !v.ruleName.startsWith('AwsSolutions-IAM'),
        );
      expect(findings.map((v) => v.ruleName)).toEqual([]);
    });
  });

  describe('table stream → outbox publisher', () => {
    it('maps each STREAM_CONSUMERS entry with its filter, partial batch failures, bisect, retries and an on-failure queue', () => {
      const mappings = resourcesOfType(s.json, 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(STREAM_CONSUMERS.length);
      for (const consumer of STREAM_CONSUMERS) {
        const fnId = s.logicalId(s.stack.functions.get(consumer.function)!.function);
        const [, m] = mappings.find(([, x]) => x.Properties!.FunctionName.Ref === fnId)!;
        const p = m.Properties!;
        expect(p.EventSourceArn).toEqual({ 'Fn::GetAtt': [s.logicalId(s.stack.table.table), 'StreamArn'] });
        expect(p.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([
          consumer.filter,
        ]);
        expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
        expect(p.BisectBatchOnFunctionError).toBe(true);
        expect(p.MaximumRetryAttempts).toBeGreaterThan(0);
        expect(p.BatchSize).toBeGreaterThan(0);
        const queueId = referencedIds(p.DestinationConfig.OnFailure.Destination)[0]!;
        const queue = s.json.Resources[queueId]!;
        expect(queue.Type).toBe('AWS::SQS::Queue');
        expect(queue.Properties!.SqsManagedSseEnabled ?? queue.Properties!.KmsMasterKeyId).toBeTruthy();
        s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: queueId }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });
  });

  describe('table', () => {
    it('follows TABLE_DEFINITION: keys, GSIs, TTL attribute, NEW_IMAGE stream', () => {
      s.template.resourceCountIs('AWS::DynamoDB::Table', 1);
      const [[, table]] = resourcesOfType(s.json, 'AWS::DynamoDB::Table') as [[string, any]];
      const p = table.Properties;
      expect(p.KeySchema).toEqual([
        { AttributeName: TABLE_DEFINITION.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_DEFINITION.sortKey, KeyType: 'RANGE' },
      ]);
      expect(
        p.GlobalSecondaryIndexes.map((g: any) => ({
          indexName: g.IndexName,
          partitionKey: g.KeySchema[0].AttributeName,
          sortKey: g.KeySchema[1].AttributeName,
        })),
      ).toEqual(TABLE_DEFINITION.globalSecondaryIndexes);
      expect(p.TimeToLiveSpecification).toEqual({ AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true });
      expect(p.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
      expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    });

    it('has point-in-time recovery and encryption at rest', () => {
      s.template.hasResourceProperties('AWS::DynamoDB::Table', {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    });

    it('is retained and deletion-protected on a non-dev stage', () => {
      s.template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      });
    });
  });

  describe('bucket', () => {
    it('blocks all public access, encrypts, versions and logs access', () => {
      const bucketId = s.logicalId(s.stack.store.bucket);
      const p = s.json.Resources[bucketId]!.Properties!;
      expect(p.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(
        p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
      ).toMatch(/AES256|aws:kms/);
      expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(p.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: s.logicalId(s.stack.store.accessLogs) });
    });

    it.each([
      ['platform bucket', 'bucket'],
      ['access-log bucket', 'accessLogs'],
    ] as const)('%s denies requests not made over TLS', (_label, which) => {
      const bucketId = s.logicalId(s.stack.store[which]);
      s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });
});

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFINITION } from '../../functions/adapters/dynamodb/table-definition.js';
import { EVENT_LOG_FIELDS, EVENT_RULES, STREAM_CONSUMERS } from '../../functions/platform/manifest.js';
import { PlatformBus } from '../../lib/constructs/platform-bus.js';
import { referencedIds, resourcesOfType, synthStage, SYNTH_TIMEOUT_MS, type SynthesizedStage } from './support/synth.js';

let s: SynthesizedStage;

describe('event bus, table stream, table and bucket', () => {
  beforeAll(() => {
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
        expect(s.json.Resources[logGroupId]!.Properties).toMatchObject({ LogGroupName: '/modos/acme-test/events', RetentionInDays: expect.any(Number) });
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

  describe('function targets', () => {
    const functionRules = EVENT_RULES.flatMap((r) => (r.target.kind === 'function' ? [[r.name, r.target.function] as const] : []));

    it('exist in the manifest (otherwise the checks below prove nothing)', () => {
      expect(functionRules.length).toBeGreaterThan(0);
    });

    it.each(functionRules)('%s invokes %s with delivery retries and the encrypted, TLS-only dead-letter queue', (name, fn) => {
      const ruleId = s.logicalId(s.stack.platformBus.rules.get(name)!);
      const fnId = s.logicalId(s.stack.functions.get(fn)!.function);
      const targets = s.json.Resources[ruleId]!.Properties!.Targets;
      expect(targets).toHaveLength(1);
      const [target] = targets;
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeGreaterThan(0);
      const queueId = referencedIds(target.DeadLetterConfig.Arn)[0]!;
      expect(queueId).toBe(s.logicalId(s.stack.platformBus.targetDlq!));
      expect(s.json.Resources[queueId]!.Properties!.SqsManagedSseEnabled).toBe(true);
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Allow', Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } } }),
          ]),
        },
      });
      s.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      });
    });

    it.each(functionRules)('%s: handler errors of %s are retried by Lambda, then land in the same dead-letter queue', (_name, fn) => {
      const fnId = s.logicalId(s.stack.functions.get(fn)!.function);
      const configs = resourcesOfType(s.json, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) => c.Properties!.FunctionName.Ref === fnId);
      expect(configs).toHaveLength(1);
      const p = configs[0]![1].Properties!;
      expect(p.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(p.MaximumEventAgeInSeconds).toBeGreaterThan(0);
      expect(referencedIds(p.DestinationConfig.OnFailure.Destination)).toEqual([s.logicalId(s.stack.platformBus.targetDlq!)]);
    });

    it('raises an alarm as soon as the dead-letter queue holds a message', () => {
      const queueId = s.logicalId(s.stack.platformBus.targetDlq!);
      const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').filter(([, a]) => referencedIds(a.Properties!.Dimensions).includes(queueId));
      expect(alarms).toHaveLength(1);
      expect(alarms[0]![1].Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    });

    it('PlatformBus alone: a function target gets retries, the encrypted dead-letter queue, and passes cdk-nag', () => {
      const app = new App();
      const stack = new Stack(app, 'BusOnly');
      const fn = new lambda.Function(stack, 'Detector', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('export const handler = async () => {}') });
      const pattern = { source: ['modos.entities'], 'detail-type': ['entity.created', 'entity.updated'] };
      new PlatformBus(stack, 'Events', {
        stage: 'x1',
        rules: [{ name: 'DetectSignals', description: 'entity changes to the signal detector', pattern, target: { kind: 'function', function: 'Health' } }],
        functions: () => fn,
        logRetention: logs.RetentionDays.ONE_WEEK,
        retain: false,
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: pattern,
        Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.objectLike({ MaximumRetryAttempts: Match.anyValue() }) })],
      });
      t.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com' });
      t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: Match.anyValue(), DestinationConfig: { OnFailure: { Destination: Match.anyValue() } } });
      // The inline stand-in function's own findings (runtime, default role) are not the bus's.
      const findings = new AwsSolutionsChecks(app).validateScope(app).violations.filter((v) => !v.ruleName.startsWith('AwsSolutions-L1') && !v.ruleName.startsWith('AwsSolutions-IAM'));
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
        expect(p.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([consumer.filter]);
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
          PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
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
        p.GlobalSecondaryIndexes.map((g: any) => ({ indexName: g.IndexName, partitionKey: g.KeySchema[0].AttributeName, sortKey: g.KeySchema[1].AttributeName })),
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
      s.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ DeletionProtectionEnabled: true }) });
    });
  });

  describe('bucket', () => {
    it('blocks all public access, encrypts, versions and logs access', () => {
      const bucketId = s.logicalId(s.stack.store.bucket);
      const p = s.json.Resources[bucketId]!.Properties!;
      expect(p.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toMatch(/AES256|aws:kms/);
      expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(p.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: s.logicalId(s.stack.store.accessLogs) });
    });

    it.each([['platform bucket', 'bucket'], ['access-log bucket', 'accessLogs']] as const)('%s denies requests not made over TLS', (_label, which) => {
      const bucketId = s.logicalId(s.stack.store[which]);
      s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });
  });
});

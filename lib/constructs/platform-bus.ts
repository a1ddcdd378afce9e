import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_LOG_FIELDS, EVENT_TARGET_RETRY } from '../../functions/platform/manifest.js';
import type { EventPattern } from '../../schemas/event-pattern.js';
import type { EventRuleSpec, FunctionName } from '../../functions/platform/manifest.js';

export interface PlatformBusProps {
  stage: string;
  rules: readonly EventRuleSpec[];
  /** The stage's functions by manifest name, for `function` targets. */
  functions: (name: FunctionName) => lambda.IFunction;
  logRetention: logs.RetentionDays;
  retain: boolean;
}

/**
 * Every target's EventBridge retry policy (delivery: throttling, service errors), from the manifest, which
 * the local bus applies too. Function targets are invoked asynchronously, so there is a second stage: once
 * Lambda has accepted the event, *handler errors* are retried by Lambda's asynchronous invocation
 * (EventInvokeConfig) and then go to its on-failure destination. Both stages end in the target's
 * dead-letter queue.
 */
export const TARGET_DELIVERY = {
  retryAttempts: EVENT_TARGET_RETRY.retryPolicy.maximumRetryAttempts,
  maxEventAge: Duration.seconds(EVENT_TARGET_RETRY.retryPolicy.maximumEventAgeSeconds),
} as const;
export const FUNCTION_TARGET_INVOKE = {
  retryAttempts: EVENT_TARGET_RETRY.handlerRetry.maximumRetryAttempts,
  maxEventAge: Duration.seconds(EVENT_TARGET_RETRY.handlerRetry.maximumEventAgeSeconds),
} as const;

/**
 * Converts a raw EventBridge pattern (the manifest's, as PutRule takes it) to the CDK shape, which
 * only renames `detail-type` to `detailType` and renders it back unchanged.
 */
export function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) out[key === 'detail-type' ? 'detailType' : key] = value;
  return out as events.EventPattern;
}

/**
 * The stage's custom bus `modos-<stage>` and one rule per EVENT_RULES entry, with exactly that
 * entry's pattern. Integrators add their own rules on the same bus.
 *
 * `log` targets deliver to the platform event log, a CloudWatch log group `/modos/<stage>/events`.
 * Its resource policy is a native AWS::Logs::ResourcePolicy scoped to that one group rather than
 * targets.CloudWatchLogGroup's, which installs the policy through an AwsCustomResource Lambda (an
 * extra function with logs:PutResourcePolicy on `*`).
 *
 * Every target has the manifest's retry policy and a dead-letter queue of its own (one per target
 * resource: a function, the event log), encrypted and TLS-only, with an alarm as soon as it holds a message.
 */
export class PlatformBus extends Construct {
  readonly bus: events.EventBus;
  readonly eventLog: logs.LogGroup;
  readonly rules = new Map<string, events.Rule>();
  /** The dead-letter queue of each rule's target, by rule name. */
  readonly deadLetterQueues = new Map<string, sqs.Queue>();
  private readonly targetDlqs = new Map<string, sqs.Queue>();
  private readonly asyncConfigured = new Set<lambda.IFunction>();

  constructor(scope: Construct, id: string, props: PlatformBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `modos-${props.stage}`,
      description: `modos ${props.stage} platform events`,
    });

    this.eventLog = new logs.LogGroup(this, 'EventLog', {
      logGroupName: `/modos/${props.stage}/events`,
      retention: props.logRetention,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const eventLogArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: this.eventLog.logGroupName,
    });
    let eventLogPolicy: logs.ResourcePolicy | undefined;
    const logTarget: events.IRuleTarget = {
      bind: (rule) => {
        eventLogPolicy ??= new logs.ResourcePolicy(this, 'EventLogPolicy', {
          policyStatements: [
            new iam.PolicyStatement({
              sid: 'EventBridgeWritesPlatformEventLog',
              principals: [new iam.ServicePrincipal('events.amazonaws.com')],
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.eventLog.logGroupArn],
            }),
          ],
        });
        // Ids and names only (EVENT_LOG_FIELDS): payloads carry entity attributes, which stay out of logs.
        const field = (k: keyof typeof EVENT_LOG_FIELDS) => events.EventField.fromPath(EVENT_LOG_FIELDS[k]);
        const input = events.RuleTargetInput.fromObject({
          timestamp: events.EventField.time,
          message: `${field('source')} ${field('detailType')} tenant=${field('tenantId')} event=${field('eventId')} correlation=${field('correlationId')}`,
        });
        const dlq = this.dlq('EventLog', 'the platform event log');
        dlq.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: `DeadLettersOf${rule.node.id}`,
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['sqs:SendMessage'],
            resources: [dlq.queueArn],
            conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleRef.ruleArn } },
          }),
        );
        return {
          arn: eventLogArn,
          targetResource: this.eventLog,
          input,
          retryPolicy: {
            maximumRetryAttempts: TARGET_DELIVERY.retryAttempts,
            maximumEventAgeInSeconds: TARGET_DELIVERY.maxEventAge.toSeconds(),
          },
          deadLetterConfig: { arn: dlq.queueArn },
        };
      },
    };

    for (const spec of props.rules) {
      const rule = new events.Rule(this, spec.name, {
        eventBus: this.bus,
        description: spec.description,
        eventPattern: toCdkEventPattern(spec.pattern),
      });
      if (spec.target.kind === 'log') {
        rule.addTarget(logTarget);
        if (eventLogPolicy) rule.node.addDependency(eventLogPolicy);
        this.deadLetterQueues.set(spec.name, this.dlq('EventLog', 'the platform event log'));
      } else {
        const name = spec.target.function;
        const fn = props.functions(name);
        const dlq = this.dlq(name, `the ${name} function`);
        // LambdaFunction also lets this rule (and only it) send to the queue.
        rule.addTarget(new targets.LambdaFunction(fn, { deadLetterQueue: dlq, ...TARGET_DELIVERY }));
        if (!this.asyncConfigured.has(fn)) {
          this.asyncConfigured.add(fn);
          fn.configureAsyncInvoke({ ...FUNCTION_TARGET_INVOKE, onFailure: new destinations.SqsDestination(dlq) });
        }
        this.deadLetterQueues.set(spec.name, dlq);
      }
      this.rules.set(spec.name, rule);
    }
  }

  /**
   * The dead-letter queue of one target resource (`<Target>TargetDlq`), created with its first rule:
   * events it could not take (delivery) or, for a function, failed on (handler) after the retries land
   * here, encrypted and TLS-only, and its alarm fires as soon as one does.
   */
  private dlq(target: string, description: string): sqs.Queue {
    const existing = this.targetDlqs.get(target);
    if (existing) return existing;
    const queue = new sqs.Queue(this, `${target}TargetDlq`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the dead-letter queue of ${description} as a bus rule target (the target's DeadLetterConfig${target === 'EventLog' ? '' : " and the function's asynchronous on-failure destination"}, not a RedrivePolicy); it has no consumer to fail.`,
    });
    new cloudwatch.Alarm(this, `${target}TargetDlqNotEmpty`, {
      alarmDescription: `An event for ${description} (a bus rule target) exhausted its retries. Inspect the message (event, rule, error) in the ${target}TargetDlq queue and replay it: docs/deploy.md, Operations.`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.targetDlqs.set(target, queue);
    return queue;
  }
}

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
import { EVENT_LOG_FIELDS } from '../../functions/platform/manifest.js';
import type { EventPattern } from '../../functions/domain/events/event-pattern.js';
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
 * Function targets. EventBridge invokes a Lambda asynchronously, so there are two retry stages:
 * EventBridge retries *delivery* (throttling, service errors) with the rule target's RetryPolicy and
 * then sends the event to the target's DeadLetterConfig; once Lambda has accepted the event, *handler
 * errors* are retried by Lambda's asynchronous invocation (EventInvokeConfig) and then go to its
 * on-failure destination. Both end in the same dead-letter queue.
 */
export const FUNCTION_TARGET_DELIVERY = { retryAttempts: 8, maxEventAge: Duration.hours(6) } as const;
export const FUNCTION_TARGET_INVOKE = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;

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
 */
export class PlatformBus extends Construct {
  readonly bus: events.EventBus;
  readonly eventLog: logs.LogGroup;
  readonly rules = new Map<string, events.Rule>();
  private functionTargetDlq: sqs.Queue | undefined;
  private readonly asyncConfigured = new Set<lambda.IFunction>();

  constructor(scope: Construct, id: string, props: PlatformBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `modos-${props.stage}`, description: `modos ${props.stage} platform events` });

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
      bind: () => {
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
        return { arn: eventLogArn, targetResource: this.eventLog, input };
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
      } else {
        const fn = props.functions(spec.target.function);
        const dlq = this.dlq();
        rule.addTarget(new targets.LambdaFunction(fn, { deadLetterQueue: dlq, ...FUNCTION_TARGET_DELIVERY }));
        if (!this.asyncConfigured.has(fn)) {
          this.asyncConfigured.add(fn);
          fn.configureAsyncInvoke({ ...FUNCTION_TARGET_INVOKE, onFailure: new destinations.SqsDestination(dlq) });
        }
      }
      this.rules.set(spec.name, rule);
    }
  }

  /** The dead-letter queue of the function targets; undefined without any. */
  get targetDlq(): sqs.Queue | undefined {
    return this.functionTargetDlq;
  }

  /**
   * Events a function target could not take (delivery) or failed on (handler) after retries land
   * here, encrypted and TLS-only; an alarm fires as soon as one does. Created with the first function target.
   */
  private dlq(): sqs.Queue {
    if (this.functionTargetDlq) return this.functionTargetDlq;
    const queue = new sqs.Queue(this, 'TargetDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue of the bus rules' function targets (their DeadLetterConfig and the functions' asynchronous on-failure destination, not a RedrivePolicy); it has no consumer to fail.",
    });
    new cloudwatch.Alarm(this, 'TargetDlqNotEmpty', {
      alarmDescription:
        "An event for a bus rule's function target exhausted its retries (delivery or handler). Inspect the message (event, rule or error) in the TargetDlq queue and replay it: docs/deploy.md, Operations.",
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.functionTargetDlq = queue;
    return queue;
  }
}

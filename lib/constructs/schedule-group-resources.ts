import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_TARGET_RETRY, SYNC_SCHEDULES } from '../../functions/platform/manifest.js';

export interface SyncSchedulesProps {
  stage: string;
  /** The function every schedule invokes (SYNC_SCHEDULES.target). */
  target: lambda.IFunction;
  /** Keep the group (and so its schedules) when the stack is deleted. */
  retain: boolean;
}

/** The actions a function with the `scheduler` binding may call, on its stage's group's schedules only. */
export const SCHEDULER_ACTIONS = [
  'scheduler:CreateSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
  'scheduler:GetSchedule',
] as const;

/**
 * The stage's connector sync schedules: a Scheduler schedule group `modos-<stage>-connector-syncs` (the functions
 * with the `scheduler` binding put one schedule per connector into it at run time), the execution role Scheduler
 * assumes for those schedules, and the dead-letter queue of fires that could not be delivered.
 *
 * The role may only invoke the target function and send to the queue, and only Scheduler acting for a schedule of
 * this group in this account may assume it (aws:SourceAccount, aws:SourceArn: no confused deputy). Scheduler
 * invokes the function asynchronously: handler errors are retried by Lambda (the manifest's handlerRetry) and then
 * land in the same queue, whose alarm fires as soon as it holds a message.
 */
export class SyncSchedules extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  readonly groupName: string;
  /** `arn:…:schedule/<group>/*`: every schedule of the group. */
  readonly schedulesArn: string;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly target: lambda.IFunction;

  constructor(scope: Construct, id: string, props: SyncSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.target = props.target;
    this.groupName = SYNC_SCHEDULES.groupName(props.stage);
    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: this.groupName });
    this.group.applyRemovalPolicy(props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    this.schedulesArn = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      resourceName: `${this.groupName}/*`,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue of the connector sync schedules (their targets' DeadLetterConfig and ScheduledSync's asynchronous on-failure destination, not a RedrivePolicy); it has no consumer to fail.",
    });
    new cloudwatch.Alarm(this, 'DeadLettersNotEmpty', {
      alarmDescription:
        'A connector sync fire could not be delivered to ScheduledSync, or its handler failed after the retries. The message names the tenant and connector; start the sync by API (POST /api/v1/connectors/{id}/sync) and fix the cause: docs/local-scheduler.md, In AWS.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.role = new iam.Role(this, 'Role', {
      description: `modos ${props.stage}: EventBridge Scheduler invokes ScheduledSync for the connector sync schedules`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': this.schedulesArn },
      }),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeScheduledSync',
        actions: ['lambda:InvokeFunction'],
        resources: [props.target.functionArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SendDeadLetters',
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
      }),
    );

    props.target.configureAsyncInvoke({
      retryAttempts: EVENT_TARGET_RETRY.handlerRetry.maximumRetryAttempts,
      maxEventAge: Duration.seconds(EVENT_TARGET_RETRY.handlerRetry.maximumEventAgeSeconds),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
  }
}

import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_TARGET_RETRY, type ScheduleGroup, type ScheduleGroupName } from '../../functions/platform/manifest.js';

export interface ScheduleGroupResourcesProps {
  stage: string;
  /** The manifest's group (SCHEDULE_GROUPS). */
  group: ScheduleGroup;
  /** Its target function (the group's `target`). */
  target: lambda.IFunction;
  /** Keep the group (and so its schedules) when the stack is deleted. */
  retain: boolean;
}

/** The actions a function bound to a schedule group may call, on that group's schedules only. */
export const SCHEDULER_ACTIONS = [
  'scheduler:CreateSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
  'scheduler:GetSchedule',
] as const;

/** `connectorSyncs` → `ConnectorSyncs`. */
export const pascalOf = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * The construct id of a group's resources in the stack: `<Group>Schedules`, except connectorSyncs, whose resources
 * were deployed as `SyncSchedules` before groups had names. Its logical ids must not change: CloudFormation would
 * create a second group of the same name (which fails) and delete the deployed one with every connector's schedule.
 */
export function scheduleGroupConstructId(name: ScheduleGroupName): string {
  return name === 'connectorSyncs' ? 'SyncSchedules' : `${pascalOf(name)}Schedules`;
}

/**
 * One schedule group of the manifest in a stage: the Scheduler schedule group (`group.groupName(stage)`; the
 * functions bound to it put schedules into it at run time), the execution role Scheduler assumes for those
 * schedules, and the dead-letter queue of fires that could not be delivered, with its alarm.
 *
 * The role may only invoke the group's target and send to the queue, and only Scheduler acting for a schedule of
 * this group in this account may assume it (aws:SourceAccount, aws:SourceArn: no confused deputy). Scheduler
 * invokes the function asynchronously: handler errors are retried by Lambda (the manifest's handlerRetry) and then
 * land in the same queue, unless the function already has an asynchronous invocation config (it is also an event
 * rule's target): then they land in that one's queue, which alarms the same way.
 */
export class ScheduleGroupResources extends Construct {
  readonly name: ScheduleGroupName;
  readonly group: scheduler.CfnScheduleGroup;
  readonly groupName: string;
  /** `arn:…:schedule/<group>/*`: every schedule of the group. */
  readonly schedulesArn: string;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly target: lambda.IFunction;

  constructor(scope: Construct, id: string, props: ScheduleGroupResourcesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { group } = props;
    this.name = group.name;
    this.target = props.target;
    this.groupName = group.groupName(props.stage);
    if (!/^[0-9A-Za-z_.-]{1,64}$/.test(this.groupName))
      throw new Error(`schedule group ${group.name}: ${JSON.stringify(this.groupName)} is not a Scheduler group name`);
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
      reason: `This queue is itself the dead-letter queue of the ${this.groupName} schedules (their targets' DeadLetterConfig and ${group.target}'s asynchronous on-failure destination, not a RedrivePolicy); it has no consumer to fail.`,
    });
    new cloudwatch.Alarm(this, 'DeadLettersNotEmpty', {
      alarmDescription: `${group.description}: a fire could not be delivered to ${group.target}, or its handler failed after the retries. Each message carries the schedule's input (ids only); what to do: docs/local-scheduler.md, In AWS, dead letters of ${group.name}.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.role = new iam.Role(this, 'Role', {
      description: `modos ${props.stage}: EventBridge Scheduler invokes ${group.target} for the ${this.groupName} schedules`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': this.schedulesArn },
      }),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: `Invoke${group.target}`,
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

    // CDK allows one asynchronous invocation config per function (see the class comment).
    if (!props.target.node.tryFindChild('EventInvokeConfig'))
      props.target.configureAsyncInvoke({
        retryAttempts: EVENT_TARGET_RETRY.handlerRetry.maximumRetryAttempts,
        maxEventAge: Duration.seconds(EVENT_TARGET_RETRY.handlerRetry.maximumEventAgeSeconds),
        onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      });
  }
}

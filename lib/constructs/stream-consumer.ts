import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STREAM_CONSUMERS } from '../../functions/platform/manifest.js';

export interface StreamConsumerProps {
  table: dynamodb.ITable;
  consumer: lambda.IFunction;
  /** The manifest's Lambda event filter (STREAM_CONSUMERS[].filter). */
  filter: Record<string, unknown>;
}

/** Retries per batch before the batch's position goes to the on-failure queue (records stay in the stream 24 h). */
export const STREAM_RETRY_ATTEMPTS = STREAM_CONSUMERS[0].retryAttempts;
export const STREAM_BATCH_SIZE = 50;

/**
 * Table stream → consumer, filtered by the manifest's pattern. Partial batch responses
 * (ReportBatchItemFailures) plus bisect-on-error retry only what failed; after the retries the
 * batch's shard and sequence range go to an encrypted, TLS-only queue, and two alarms (queue not
 * empty, iterator age) say someone must look.
 */
export class StreamConsumer extends Construct {
  readonly onFailure: sqs.Queue;
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    this.onFailure = new sqs.Queue(this, 'OnFailure', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.onFailure).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the terminal on-failure destination of the stream event source mapping (a DLQ, though not referenced by another queue's RedrivePolicy); it has no consumer to fail.",
    });

    this.eventSource = new DynamoEventSource(props.table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: STREAM_BATCH_SIZE,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: STREAM_RETRY_ATTEMPTS,
      maxRecordAge: Duration.hours(24),
      onFailure: new SqsDlq(this.onFailure),
      filters: [lambda.FilterCriteria.filter(props.filter)],
    });
    props.consumer.addEventSource(this.eventSource);

    new cloudwatch.Alarm(this, 'OnFailureNotEmpty', {
      alarmDescription:
        'Stream batches exhausted their retries: outbox events may not have reached the bus. Inspect the queue and replay.',
      metric: this.onFailure.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new cloudwatch.Alarm(this, 'IteratorAge', {
      alarmDescription:
        'The stream consumer is falling behind (records older than 5 minutes); events reach the bus late.',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: props.consumer.functionName },
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: 5 * 60 * 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

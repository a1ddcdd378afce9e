import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../../functions/platform/table-definition.js';

export interface PlatformTableProps {
  /** RETAIN + deletion protection (every stage but dev) or DESTROY (dev). */
  retain: boolean;
}

/**
 * The single table, built from TABLE_DEFINITION (the local runtime creates DynamoDB Local's table
 * from the same object): string keys PK/SK, the GSIs with all attributes projected, TTL, a
 * NEW_IMAGE stream for the outbox publisher, on-demand billing, PITR and encryption at rest.
 */
export class PlatformTable extends Construct {
  readonly table: dynamodb.Table;
  readonly indexNames: readonly string[];

  constructor(scope: Construct, id: string, props: PlatformTableProps) {
    super(scope, id);
    const def = TABLE_DEFINITION;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: def.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: def.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS-managed key (aws/dynamodb): encryption at rest without a per-stage key to administer.
      // Per-tenant keys protect secrets at the application layer (DESIGN §3, Security), not here.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: def.timeToLiveAttribute,
      stream: dynamodb.StreamViewType[def.streamViewType],
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const gsi of def.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    this.indexNames = def.globalSecondaryIndexes.map((g) => g.indexName);
  }
}

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FunctionName, StateMachineSpec } from '../../functions/platform/manifest.js';

export interface WorkflowStateMachineProps {
  spec: StateMachineSpec;
  /** Absolute path of the repository root (the spec's definitionFile is relative to it). */
  projectRoot: string;
  stage: string;
  functions: (name: FunctionName) => lambda.IFunction;
  logRetention: logs.RetentionDays;
  retainLogs: boolean;
}

/** `${Name}` placeholders of an ASL document (the DefinitionSubstitutions syntax). */
export function placeholdersOf(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!))].sort();
}

/** `modos-<stage>-workflow-run` for `WorkflowRun` (the local runtime names it the same way, with stage `local`). */
export const stateMachineName = (stage: string, specName: string): string =>
  `modos-${stage}-${specName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;

/**
 * One STATE_MACHINES entry: a STANDARD state machine whose ASL comes from the spec's file, with each
 * `${Placeholder}` substituted (DefinitionSubstitutions) by the ARN of the function the spec maps it to.
 *
 * The definition is inlined (DefinitionString), not uploaded as an S3 asset (DefinitionBody.fromFile):
 * it stays visible in the template and in `cdk diff`, and the infra tests can check what it invokes.
 * Synthesis fails if the file's placeholders and the spec's `functions` keys differ in either direction.
 *
 * The role may invoke exactly the mapped functions (unqualified ARNs, as the ASL names them): CDK grants
 * nothing for substituted ARNs. Logs go to a `/aws/vendedlogs/` group (level ALL, without execution
 * data: inputs and outputs hold tenant records); X-Ray tracing is on.
 */
export class WorkflowStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  /** Placeholder → function, as substituted. */
  readonly targets: ReadonlyMap<string, lambda.IFunction>;

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    const { spec } = props;
    const definition = readFileSync(path.join(props.projectRoot, spec.definitionFile), 'utf8');
    JSON.parse(definition); // a malformed file fails here, with its name in the stack trace, not at deploy time

    const inFile = placeholdersOf(definition);
    const mapped = Object.keys(spec.functions).sort();
    const unmapped = inFile.filter((p) => !mapped.includes(p));
    const unused = mapped.filter((p) => !inFile.includes(p));
    if (unmapped.length || unused.length) {
      throw new Error(
        `state machine ${spec.name}: ${spec.definitionFile} and the manifest disagree (placeholders without a function: ${unmapped.join(', ') || 'none'}; functions without a placeholder: ${unused.join(', ') || 'none'})`,
      );
    }

    const targets = new Map<string, lambda.IFunction>();
    for (const [placeholder, fn] of Object.entries(spec.functions)) targets.set(placeholder, props.functions(fn));
    this.targets = targets;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' account-wide log-delivery resource policy at
      // one wildcard entry instead of one entry per state machine (that policy has a 5,120-byte limit).
      logGroupName: `/aws/vendedlogs/states/${stateMachineName(props.stage, spec.name)}`,
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: stateMachineName(props.stage, spec.name),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: `modos ${props.stage} ${spec.name} (${spec.definitionFile})`,
      definitionBody: sfn.DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(
        [...targets].map(([placeholder, fn]) => [placeholder, fn.functionArn]),
      ),
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });

    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeTaskFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: [...new Set([...targets.values()])].map((fn) => fn.functionArn),
      }),
    );

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only actions without resource-level permissions get Resource "*": the CloudWatch Logs log-delivery actions Step Functions needs to write its log group (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets). Lambda invocation is limited to the mapped functions; test/infra asserts both.',
    });
  }
}

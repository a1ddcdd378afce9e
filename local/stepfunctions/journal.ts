import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionItem {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  /** Absolute deadline of the definition's top-level TimeoutSeconds (epoch ms). */
  deadline?: number;
  redriveCount: number;
  redriveDate?: number;
  /** Journal keys of the task attempts that failed the execution (what a redrive runs again). */
  failedKeys?: string[];
}

export type TaskStatus = 'STARTED' | 'WAITING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface TaskItem {
  key: string;
  state: string;
  status: TaskStatus;
  /** The execution's redrive count when this attempt started. */
  segment: number;
  resource: string;
  scheduledAt: number;
  timeoutAt: number;
  heartbeatSeconds?: number;
  heartbeatAt?: number;
  token?: string;
  output?: string;
  error?: string;
  cause?: string;
  /** The failure was a heartbeat timeout (reported as States.Timeout). */
  heartbeat?: boolean;
  settledAt?: number;
}

export interface HistoryItem {
  seq: number;
  fp: string;
  event: string;
}

const pk = (executionArn: string) => `E#${executionArn}`;
const taskSk = (key: string) => `T#${key}`;
const histSk = (seq: number) => `H#${String(seq).padStart(10, '0')}`;

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

/** The runtime's own table (`modos-local-sfn` by default): execution records, task journal, history. */
export class Journal {
  readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async ensureTable(): Promise<void> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
      return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName: this.tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    }
    await waitUntilTableExists({ client: this.client, maxWaitTime: 30 }, { TableName: this.tableName });
  }

  /** Creates the execution record; false if one with this ARN exists. */
  async createExecution(item: ExecutionItem): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: pk(item.executionArn), sk: 'META', kind: 'execution', ...item },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async getExecution(executionArn: string): Promise<ExecutionItem | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: pk(executionArn), sk: 'META' }, ConsistentRead: true }),
    );
    return strip<ExecutionItem>(r.Item);
  }

  /**
   * Updates the execution record if it is still in `expect.status` (and, if given, at redrive count
   * `expect.segment`); false if it was not (another writer won).
   */
  async updateExecution(
    executionArn: string,
    set: Partial<ExecutionItem>,
    expect: { status?: ExecutionStatus | ExecutionStatus[]; segment?: number },
    remove: Array<keyof ExecutionItem> = [],
  ): Promise<boolean> {
    return this.conditionalUpdate(
      { pk: pk(executionArn), sk: 'META' },
      set,
      remove,
      { status: expect.status, redriveCount: expect.segment },
      true,
    );
  }

  /**
   * One conditional UpdateItem: SET the defined values of `set`, REMOVE `remove`, on condition that each
   * defined `equals` attribute has that value (or one of those values, for an array), and that the item
   * exists if `mustExist`. False when the condition fails (another writer won).
   */
  private async conditionalUpdate(
    key: { pk: string; sk: string },
    set: Record<string, unknown>,
    remove: readonly string[],
    equals: Record<string, unknown>,
    mustExist = false,
  ): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(set)
      .filter(([, v]) => v !== undefined)
      .map(([k, v], i) => {
        names[`#s${i}`] = k;
        values[`:s${i}`] = v;
        return `#s${i} = :s${i}`;
      });
    const removes = remove.map((k, i) => {
      names[`#r${i}`] = k;
      return `#r${i}`;
    });
    const conditions = mustExist ? ['attribute_exists(pk)'] : [];
    Object.entries(equals)
      .filter(([, v]) => v !== undefined)
      .forEach(([attr, v], i) => {
        names[`#c${i}`] = attr;
        if (Array.isArray(v)) {
          conditions.push(`#c${i} IN (${v.map((x, j) => ((values[`:c${i}_${j}`] = x), `:c${i}_${j}`)).join(', ')})`);
        } else {
          values[`:c${i}`] = v;
          conditions.push(`#c${i} = :c${i}`);
        }
      });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: [
            sets.length ? `SET ${sets.join(', ')}` : '',
            removes.length ? `REMOVE ${removes.join(', ')}` : '',
          ]
            .join(' ')
            .trim(),
          ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async listExecutions(): Promise<ExecutionItem[]> {
    const out: ExecutionItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :meta',
          ExpressionAttributeValues: { ':meta': 'META' },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of r.Items ?? []) out.push(strip<ExecutionItem>(item)!);
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Every task journal entry and history item of an execution. */
  async load(executionArn: string): Promise<{ tasks: TaskItem[]; history: HistoryItem[] }> {
    const tasks: TaskItem[] = [];
    const history: HistoryItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk(executionArn) },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of r.Items ?? []) {
        const sk = String(item.sk);
        if (sk.startsWith('T#')) tasks.push(strip<TaskItem>(item)!);
        else if (sk.startsWith('H#')) history.push(strip<HistoryItem>(item)!);
      }
      start = r.LastEvaluatedKey;
    } while (start);
    history.sort((a, b) => a.seq - b.seq);
    return { tasks, history };
  }

  async getTask(executionArn: string, key: string): Promise<TaskItem | undefined> {
    const r = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: pk(executionArn), sk: taskSk(key) },
        ConsistentRead: true,
      }),
    );
    return strip<TaskItem>(r.Item);
  }

  /** Journals the start of a task attempt; false if the attempt was already journalled. */
  async startTask(executionArn: string, item: TaskItem): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: pk(executionArn), sk: taskSk(item.key), ...item },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Settles or updates a task attempt only if it is still in `expected` status (and, for heartbeat
   * timeouts, still at the heartbeat deadline the timer saw): exactly one outcome wins.
   */
  async updateTask(
    executionArn: string,
    key: string,
    set: Partial<TaskItem>,
    expected: TaskStatus | TaskStatus[],
    extra?: { heartbeatAt?: number; token?: string },
  ): Promise<boolean> {
    const statuses = Array.isArray(expected) ? expected : [expected];
    return this.conditionalUpdate({ pk: pk(executionArn), sk: taskSk(key) }, set, [], {
      status: statuses,
      heartbeatAt: extra?.heartbeatAt,
      token: extra?.token,
    });
  }

  async deleteTasks(executionArn: string, keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 25) {
      await this.doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [this.tableName]: keys
              .slice(i, i + 25)
              .map((key) => ({ DeleteRequest: { Key: { pk: pk(executionArn), sk: taskSk(key) } } })),
          },
        }),
      );
    }
  }

  async deleteTask(executionArn: string, key: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: pk(executionArn), sk: taskSk(key) } }),
    );
  }

  async putHistory(executionArn: string, item: HistoryItem): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: pk(executionArn), sk: histSk(item.seq), ...item } }),
    );
  }
}

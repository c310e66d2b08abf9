import {
  type AttributeValue,
  BatchWriteItemCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { LocalSkyError } from './errors';
import { createTable } from './synth';

/** DynamoDB's most items per BatchWriteItem. */
const BATCH_WRITE_MAX = 25;

/** Table names DynamoDB accepts: 3–255 of letters, digits, '_', '-' and '.'. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** The table of one strategy's deployment in the local sky. */
export function deploymentTableName(tableName: string, deployment: string): string {
  const name = `${tableName}-${deployment}`;
  if (!TABLE_NAME.test(name)) {
    throw new LocalSkyError('table', `deployment table ${JSON.stringify(name)} is not a valid DynamoDB table name`);
  }
  return name;
}

/**
 * Creates `copyName` with `source`'s schema and copies every item of `source` into it, so that a deployment starts
 * from what another one holds (the characterizations sampled and the profiles learned) and learns apart from it.
 * Unprocessed items of a batch are written again until none is left.
 */
export async function copyTable(
  client: DynamoDBClient,
  source: CreateTableCommandInput,
  copyName: string,
): Promise<number> {
  await createTable(client, { ...source, TableName: copyName });
  let copied = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: source.TableName, ExclusiveStartKey: startKey }));
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += BATCH_WRITE_MAX) {
      await writeAll(
        client,
        copyName,
        items.slice(i, i + BATCH_WRITE_MAX).map((Item) => ({ PutRequest: { Item } })),
      );
    }
    copied += items.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return copied;
}

type WriteRequests = NonNullable<ConstructorParameters<typeof BatchWriteItemCommand>[0]['RequestItems']>[string];

async function writeAll(client: DynamoDBClient, tableName: string, requests: WriteRequests): Promise<void> {
  let pending = requests;
  for (let round = 0; pending.length > 0; round++) {
    if (round === 10) {
      throw new LocalSkyError(
        'table',
        `${pending.length} item(s) could not be copied into ${tableName} after 10 rounds`,
      );
    }
    const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
    pending = out.UnprocessedItems?.[tableName] ?? [];
  }
}

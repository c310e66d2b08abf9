import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { TABLE_SCHEMA } from '../contracts';

/**
 * The table as `CreateTable` wants it, from the shared key schema: for local servers and tests.
 * In AWS the control stack creates the same table (plus TTL and point-in-time recovery).
 */
export function skyTableDefinition(tableName: string = TABLE_SCHEMA.defaultTableName): CreateTableCommandInput {
  const { partitionKey, sortKey, typeIndex } = TABLE_SCHEMA;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: 'S' },
      { AttributeName: sortKey, AttributeType: 'S' },
      { AttributeName: typeIndex.partitionKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: typeIndex.name,
        KeySchema: [
          { AttributeName: typeIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: typeIndex.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/**
 * Creates the table if it does not exist and waits until it is active (at most ~30 s).
 */
export async function ensureSkyTable(
  client: DynamoDBClient,
  tableName: string = TABLE_SCHEMA.defaultTableName,
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(skyTableDefinition(tableName)));
  } catch (error) {
    const inUse = error instanceof ResourceInUseException || (error as Error).name === 'ResourceInUseException';
    if (!inUse) throw error;
  }
  for (let attempt = 0; attempt < 300; attempt++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (out.Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (out.Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Table '${tableName}' did not become ACTIVE within 30 s`);
}

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMA } from '../contracts';
import { createDocumentClient } from './dynamo-client';
import { type LocalDynamo, startLocalDynamo } from './local-dynamo';
import { SkyStore } from './store';
import { ensureSkyTable } from './table-setup';

/** The skymesh table in a local DynamoDB-compatible server, with a store over it. */
export interface LocalSkyStore {
  readonly dynamo: LocalDynamo;
  readonly client: DynamoDBDocumentClient;
  readonly store: SkyStore;
  /** Stops the client and the server. */
  close(): Promise<void>;
}

/**
 * Starts dynalite on loopback, creates the skymesh table in it and opens a store.
 *
 * @example
 * const local = await startLocalSkyStore();
 * await local.store.latestCharacterizations();
 * await local.close();
 */
export async function startLocalSkyStore(options: { readonly tableName?: string } = {}): Promise<LocalSkyStore> {
  const tableName = options.tableName ?? TABLE_SCHEMA.defaultTableName;
  const dynamo = await startLocalDynamo();
  const client = createDocumentClient({ region: 'us-west-2', endpoint: dynamo.endpoint });
  await ensureSkyTable(client, tableName);
  return {
    dynamo,
    client,
    store: new SkyStore({ client, tableName }),
    async close() {
      client.destroy();
      await dynamo.close();
    },
  };
}

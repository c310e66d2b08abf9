import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where and how to reach the table. */
export interface DocumentClientOptions {
  /** Region of the table (the home region). */
  readonly region: string;
  /**
   * Endpoint override, e.g. a local DynamoDB-compatible server on loopback.
   * @default - the regional AWS endpoint
   */
  readonly endpoint?: string;
  /**
   * Credentials; a local server accepts any.
   * @default - the SDK's default provider chain (or dummy credentials when `endpoint` is set)
   */
  readonly credentials?: DynamoDBClientConfig['credentials'];
  /**
   * Attempts per request, including the first (the SDK retries throttling with backoff).
   * @default 5
   */
  readonly maxAttempts?: number;
}

/**
 * A DynamoDB document client with the marshalling options the store relies on:
 * `undefined` attributes are dropped (optional fields), class instances are not expected.
 *
 * @example
 * const doc = createDocumentClient({ region: 'us-west-2', endpoint: 'http://127.0.0.1:4567' });
 */
export function createDocumentClient(options: DocumentClientOptions): DynamoDBDocumentClient {
  const local = options.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: options.region,
    endpoint: options.endpoint,
    maxAttempts: options.maxAttempts ?? 5,
    credentials: options.credentials ?? (local ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

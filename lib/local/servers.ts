import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaClientWithLimit } from '../aws/lambda-invoker';
import { type LocalDynamo, startLocalDynamo } from '../aws/local-dynamo';
import type { HandlerKit } from '../twin/kit';
import { type LambdaApi, startLambdaApi } from '../twin/lambda-api';
import type { Scenario } from '../twin/scenario';
import { Twin } from '../twin/twin';
import type { Cleanup } from './cleanup';
import { PhaseClock } from './phase-clock';

/** Credentials the local servers accept (they check none). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The running local servers and the clients that talk to them. */
export interface LocalServers {
  /** dynalite, in memory, on 127.0.0.1. */
  readonly dynamo: LocalDynamo;
  /** The twin's loopback Lambda Invoke API, serving the scenario's emulated zones. */
  readonly api: LambdaApi;
  /** The emulated clock behind the API; its speed changes between sampling and routing. */
  readonly clock: PhaseClock;
  /** A Lambda client pointed at the loopback API. */
  readonly lambda: LambdaClient;
  /** A DynamoDB client pointed at dynalite. */
  readonly dynamoClient: DynamoDBClient;
}

export interface LocalServersOptions {
  readonly scenario: Scenario;
  /** What runs in the emulated instances. */
  readonly kit: HandlerKit;
  /** Region of the table (the home region). */
  readonly homeRegion: string;
  /** Real ms per emulated ms to start with. */
  readonly timeScale: number;
  /** Most sockets the Lambda client opens to the loopback API. @default 256 */
  readonly maxSockets?: number;
}

/**
 * Starts dynalite and the loopback Lambda API (both on 127.0.0.1, free ports) and registers their
 * shutdown with `cleanup`, so they are stopped however the run ends.
 */
export async function startLocalServers(options: LocalServersOptions, cleanup: Cleanup): Promise<LocalServers> {
  const dynamo = await startLocalDynamo();
  cleanup.add('dynalite', () => dynamo.close());
  const clock = new PhaseClock(options.timeScale);
  // Registered before the API, so it runs after the API has closed (closers run in reverse).
  cleanup.add('emulated clock', () => clock.dispose());
  const twin = new Twin({ scenario: options.scenario, clock, kit: options.kit });
  const api = await startLambdaApi({ twin });
  cleanup.add('loopback Lambda API', () => api.close());
  const region = options.scenario.zones[0].region;
  const lambda = lambdaClientWithLimit({
    region,
    endpoint: api.endpoint,
    credentials: LOCAL_CREDENTIALS,
    maxSockets: options.maxSockets ?? 256,
  });
  cleanup.add('Lambda client', () => lambda.destroy());
  const dynamoClient = new DynamoDBClient({
    region: options.homeRegion,
    endpoint: dynamo.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  cleanup.add('DynamoDB client', () => dynamoClient.destroy());
  return { dynamo, api, clock, lambda, dynamoClient };
}

/**
 * Environment variables the stacks set on skymesh functions. Plain constants with no CDK import, so
 * handlers can import them too and the two sides cannot drift apart.
 */
export const FUNCTION_ENV = {
  /** AZ ID the function is pinned to (dynamic functions, fan-out, sampling steps). */
  azId: 'SKY_AZ_ID',
  /** Name of the skymesh DynamoDB table (router, sampling steps). */
  tableName: 'SKY_TABLE_NAME',
  /** Region of the table, the home region (sampling steps run in every region). */
  tableRegion: 'SKY_TABLE_REGION',
  /** Comma-separated regions of the mesh, e.g. `us-west-1,sa-east-1` (router). */
  regions: 'SKY_REGIONS',
  /** Comma-separated AZ IDs of the mesh's zones (router). */
  zones: 'SKY_ZONES',
  /** Comma-separated memory sizes in MB of the dynamic functions (router). */
  memorySizes: 'SKY_MEMORY_SIZES',
  /** Comma-separated architectures of the dynamic functions, `x86_64,arm64` (router). */
  architectures: 'SKY_ARCHITECTURES',
  /**
   * The external zones (IBM Code Engine, DigitalOcean Functions, HTTPS endpoints) as JSON: URLs and secret references
   * (router, fan-out). The deployed stacks never put a secret's value here (`npx cdk synth` refuses one); a process of
   * your own (the local sky, the embedded library) may.
   */
  endpoints: 'SKY_ENDPOINTS',
  /** Hold time in ms of a rejected attempt (router). */
  holdMs: 'SKY_HOLD_MS',
  /** What a rejected instance does, `hold`, `end` or `auto` (router). */
  rejectMode: 'SKY_REJECT_MODE',
  /** Attempt budget of a request that sets none (router). */
  maxAttempts: 'SKY_MAX_ATTEMPTS',
  /** The dynamic functions' configured timeout, ms (router): the budget each placement is held to. */
  functionTimeoutMs: 'SKY_FUNCTION_TIMEOUT_MS',
  /** Powertools metrics namespace; always {@link METRICS_NAMESPACE}. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** Powertools service name (`router`, `sampling`); becomes the `service` metric dimension. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

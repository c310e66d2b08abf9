import type { AslDefinition } from './state-machine-definition';

/** The part of aws-local-stepfunctions' API used here (its types are ESM-only; this project is CommonJS). */
interface LocalEngine {
  new (
    definition: unknown,
    options: {
      awsConfig: { region: string; credentials: { accessKeys: { accessKeyId: string; secretAccessKey: string } } };
    },
  ): {
    run(
      input: unknown,
      options: {
        overrides: {
          waitTimeOverrides: Record<string, number>;
          retryIntervalOverrides: Record<string, number>;
          taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>>;
        };
        context: Record<string, unknown>;
      },
    ): { result: Promise<unknown> };
  };
}

/**
 * Runs a synthesized state machine definition with aws-local-stepfunctions, its Lambda tasks
 * invoked through `@aws-sdk/client-lambda` at a local Lambda Invoke endpoint (the twin's
 * loopback API). The engine builds its own SDK client, which takes the endpoint from
 * `AWS_ENDPOINT_URL_LAMBDA`: so this sets that variable for the process, and one process talks
 * to one local Lambda endpoint at a time.
 */

/** How to run one execution. */
export interface LocalExecutionOptions {
  /** Local Lambda Invoke endpoint, e.g. `http://127.0.0.1:4010`. */
  readonly lambdaEndpoint: string;
  /** Region the functions' ARNs name. */
  readonly region: string;
  /** The execution's name (`$$.Execution.Name`). */
  readonly executionName: string;
  readonly input?: unknown;
  /** Wait states to shorten, by state name, in ms. */
  readonly waitTimeOverrides?: Readonly<Record<string, number>>;
  /** Retry pauses to shorten, by state name, in ms. */
  readonly retryIntervalOverrides?: Readonly<Record<string, number>>;
  /** Task states to run with a local function instead of the Lambda call (fault injection). */
  readonly taskOverrides?: Readonly<Record<string, (input: unknown) => Promise<unknown>>>;
  /** `$$.Execution.StartTime`. @default - now */
  readonly startTime?: Date;
}

/** How an execution ended. */
export type LocalExecutionResult =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: string };

/**
 * Runs one execution to its end.
 * @example
 * const out = await runLocalExecution(definition, { lambdaEndpoint: api.endpoint, region: 'us-west-1',
 *   executionName: 'run-1', input: { force: true }, waitTimeOverrides: { Pause: 0 } });
 */
export async function runLocalExecution(
  definition: AslDefinition,
  options: LocalExecutionOptions,
): Promise<LocalExecutionResult> {
  // The package is ESM with a CommonJS build, which `require` loads.
  const { StateMachine } = require('aws-local-stepfunctions') as { StateMachine: LocalEngine };
  process.env.AWS_ENDPOINT_URL_LAMBDA = options.lambdaEndpoint;
  const machine = new StateMachine(definition, {
    awsConfig: {
      region: options.region,
      credentials: { accessKeys: { accessKeyId: 'local', secretAccessKey: 'local' } },
    },
  });
  const input = options.input ?? {};
  const taskOverrides = { ...options.taskOverrides };
  const execution = machine.run(input, {
    overrides: {
      waitTimeOverrides: { ...options.waitTimeOverrides },
      retryIntervalOverrides: { ...options.retryIntervalOverrides },
      taskResourceLocalHandlers: taskOverrides,
    },
    context: {
      Execution: {
        Id: `arn:aws:states:${options.region}:123456789012:execution:local:${options.executionName}`,
        Name: options.executionName,
        Input: input,
        StartTime: (options.startTime ?? new Date()).toISOString(),
      },
    },
  });
  try {
    return { status: 'SUCCEEDED', output: await execution.result };
  } catch (error) {
    // The engine wraps the error of the Fail state (name = Error, message = Cause) in an ExecutionError.
    const failure = ((error as { cause?: unknown }).cause ?? error) as { name?: string; message?: string };
    return { status: 'FAILED', error: failure.name ?? 'Error', cause: failure.message ?? String(error) };
  }
}

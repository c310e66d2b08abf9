import type { InvocationReport } from './lambda-report';

/**
 * How handlers call other functions. In Lambda it wraps `@aws-sdk/client-lambda`
 * (see `lib/aws/lambda-invoker.ts`); in the twin the same interface dispatches in-process.
 * An invoker never throws for a failed call: failures are data, so they can be counted.
 */
export interface Invoker {
  invoke(functionName: string, payload: unknown, options?: InvokeOptions): Promise<InvokeResult>;
}

export interface InvokeOptions {
  /** Give up after this many ms and report a `Timeout` failure. */
  readonly timeoutMs?: number;
  /** `Event` queues the call and returns at once (HTTP 202), `RequestResponse` waits for the answer. */
  readonly invocationType?: 'RequestResponse' | 'Event';
  /**
   * Ask for the invocation's log tail and read its REPORT record into `InvokeResult.report` (Lambda's `LogType:
   * 'Tail'`; a `RequestResponse` call only). @default false
   */
  readonly logTail?: boolean;
}

export type InvokeResult =
  | {
      readonly ok: true;
      readonly payload: unknown;
      readonly durationMs: number;
      /**
       * The platform's REPORT record of the invocation (billed duration, INIT included where billed), where the
       * invoker asked for the log tail and it held one (see `lambda-report.ts`). @default - not known
       */
      readonly report?: InvocationReport;
    }
  | {
      readonly ok: false;
      /**
       * `TooManyRequestsException` (throttled / zone cannot scale), `Unhandled` (the function threw),
       * `Timeout`, `ResourceNotFoundException`, `ServiceException`, or the SDK's error name.
       */
      readonly errorType: string;
      readonly message: string;
      /** True when the failure came from the service, not the function (worth failing over). */
      readonly retryable: boolean;
      readonly durationMs: number;
      /**
       * The REPORT record of a function that ran and failed (`Unhandled`), where the invoker asked for the log tail:
       * Lambda bills a failed run as any other. @default - not known
       */
      readonly report?: InvocationReport;
    };

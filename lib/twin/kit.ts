import type { Invoker, Platform } from '../contracts';
import type { Arch } from '../core/types';

/**
 * What runs inside emulated instances. The twin creates one handler per instance (so per-instance
 * state such as compiled-code caches lives and dies with the instance), through a kit. The default
 * kit (`defaultHandlerKit`) runs the real handlers of `lambda/`; tests may pass their own.
 */

/** A minimal Lambda context, as the handlers may read it. */
export interface TwinContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** A handler of one instance: gets the event and answers, or throws (a function error). */
export type InstanceHandler = (event: unknown, context: TwinContext) => Promise<unknown>;

/** A handler registered by name, not tied to an emulated zone (router, sampling steps). */
export type PlainHandler = (event: unknown, context: TwinContext) => Promise<unknown>;

export interface DynamicFunctionFacts {
  readonly name: string;
  readonly azId: string;
  readonly arch: Arch;
  readonly memoryMb: number;
}

export interface SamplerFunctionFacts {
  readonly name: string;
  readonly azId: string;
  readonly index: number;
  readonly memoryMb: number;
}

export interface FanoutFunctionFacts {
  readonly name: string;
  readonly azId: string;
  readonly memoryMb: number;
}

/** Creates the handler of a new instance of each kind of zone function. */
export interface HandlerKit {
  dynamic(platform: Platform, fn: DynamicFunctionFacts): InstanceHandler;
  sampler(platform: Platform, fn: SamplerFunctionFacts): InstanceHandler;
  /** The fan-out tree calls samplers (and itself) through `invoker`. */
  fanout(platform: Platform, fn: FanoutFunctionFacts, invoker: Invoker): InstanceHandler;
  /**
   * Kinds of function whose calls are timed by their work, not by the clock (see `CallTiming`): each lasts, and is
   * billed, exactly the emulated time its handler sleeps. A fan-out waits on other calls, so it is always timed by
   * the clock. @default none
   */
  readonly workTimed?: ReadonlyArray<'dynamic' | 'sampler'>;
}

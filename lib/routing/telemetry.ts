import type { AttemptRecord } from './types';

/** What the router reports about its calls and its own trouble. */
export interface RouterTelemetry {
  /** Counts one routed call's attempts (cheap: tallies in memory). */
  recordAttempts(attempts: readonly AttemptRecord[]): void;
  /** Emits the tallies since the last publish, one EMF record per zone. */
  publish(): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, error: unknown, details?: Record<string, unknown>): void;
}

/** Telemetry that records nothing: for benchmarks and embedded use without CloudWatch. */
export const silentTelemetry: RouterTelemetry = {
  recordAttempts() {},
  publish() {},
  warn() {},
  error() {},
};

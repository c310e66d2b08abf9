import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AttemptRecord } from './types';

/** CloudWatch namespace of the router's metrics (the control stack's dashboard reads it). */
export const METRICS_NAMESPACE = 'Skymesh';
export const SERVICE_NAME = 'sky-router';

/** What the router reports about its calls and its own trouble. */
export interface RouterTelemetry {
  /** Counts one routed call's attempts (cheap: tallies in memory). */
  recordAttempts(attempts: readonly AttemptRecord[]): void;
  /** Emits the tallies since the last publish, one EMF record per zone. */
  publish(): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, error: unknown, details?: Record<string, unknown>): void;
}

interface ZoneTally {
  invocations: number;
  rejects: number;
  retries: number;
  failovers: number;
  costUsd: number;
}

export interface PowertoolsTelemetryOptions {
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /**
   * Where EMF records go; default: Powertools publishes them to stdout, where Lambda hands them to CloudWatch.
   * Tests pass a function to capture the serialized records.
   */
  readonly emit?: (emf: unknown) => void;
}

/**
 * Telemetry with Powertools: a Logger for warnings and errors, and Metrics in EMF under namespace
 * `Skymesh` with dimension `azId`: `Invocations` (attempts sent to the zone), `Rejects`, `Retries`
 * (attempts after a call's first), `Failovers` and `EstimatedCostUsd`. The hot path only adds to
 * in-memory tallies; `publish()` writes them once per router invocation.
 */
export function powertoolsTelemetry(options: PowertoolsTelemetryOptions = {}): RouterTelemetry {
  const logger = options.logger ?? new Logger({ serviceName: SERVICE_NAME });
  const metrics = options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  let tallies = new Map<string, ZoneTally>();
  return {
    recordAttempts(attempts) {
      attempts.forEach((attempt, i) => {
        let tally = tallies.get(attempt.azId);
        if (!tally) {
          tally = { invocations: 0, rejects: 0, retries: 0, failovers: 0, costUsd: 0 };
          tallies.set(attempt.azId, tally);
        }
        tally.invocations++;
        tally.costUsd += attempt.costUsd;
        if (attempt.status === 'rejected') tally.rejects++;
        if (i > 0) {
          tally.retries++;
          if (attempts[i - 1].azId !== attempt.azId) tally.failovers++;
        }
      });
    },
    publish() {
      const current = tallies;
      tallies = new Map();
      for (const [azId, tally] of current) {
        metrics.addDimension('azId', azId);
        metrics.addMetric('Invocations', MetricUnit.Count, tally.invocations);
        metrics.addMetric('Rejects', MetricUnit.Count, tally.rejects);
        metrics.addMetric('Retries', MetricUnit.Count, tally.retries);
        metrics.addMetric('Failovers', MetricUnit.Count, tally.failovers);
        metrics.addMetric('EstimatedCostUsd', MetricUnit.NoUnit, tally.costUsd);
        if (options.emit) {
          options.emit(metrics.serializeMetrics());
          metrics.clearMetrics();
          metrics.clearDimensions();
        } else {
          metrics.publishStoredMetrics();
        }
      }
    },
    warn(message, details) {
      logger.warn(message, details ?? {});
    },
    error(message, error, details) {
      logger.error(message, { ...(details ?? {}), error: error instanceof Error ? error : String(error) });
    },
  };
}

/** Telemetry that records nothing: for benchmarks and embedded use without CloudWatch. */
export const silentTelemetry: RouterTelemetry = {
  recordAttempts() {},
  publish() {},
  warn() {},
  error() {},
};

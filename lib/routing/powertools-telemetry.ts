import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSION, METRIC_SERVICES, METRICS, METRICS_NAMESPACE } from '../contracts';
import type { RouterTelemetry } from './telemetry';

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
 * `Skymesh` with dimensions `service` and `azId` (see `lib/contracts/metrics.ts`): `Invocations` (routed
 * requests, in the zone that answered the last attempt), `Rejects`, `Retries` (attempts after a request's
 * first), `Failovers` (attempts in another zone than the previous one) and `EstimatedCostUsd`, each in
 * the zone of its attempt. The hot path only adds to
 * in-memory tallies; `publish()` writes them once per router invocation.
 */
export function powertoolsTelemetry(options: PowertoolsTelemetryOptions = {}): RouterTelemetry {
  const logger = options.logger ?? new Logger({ serviceName: METRIC_SERVICES.router });
  const metrics = options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRIC_SERVICES.router });
  let tallies = new Map<string, ZoneTally>();
  const tallyOf = (azId: string): ZoneTally => {
    let tally = tallies.get(azId);
    if (!tally) {
      tally = { invocations: 0, rejects: 0, retries: 0, failovers: 0, costUsd: 0 };
      tallies.set(azId, tally);
    }
    return tally;
  };
  return {
    recordAttempts(attempts) {
      const last = attempts.at(-1);
      if (last) tallyOf(last.azId).invocations++;
      attempts.forEach((attempt, i) => {
        const tally = tallyOf(attempt.azId);
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
        metrics.addDimension(METRIC_DIMENSION, azId);
        metrics.addMetric(METRICS.invocations, MetricUnit.Count, tally.invocations);
        metrics.addMetric(METRICS.rejects, MetricUnit.Count, tally.rejects);
        metrics.addMetric(METRICS.retries, MetricUnit.Count, tally.retries);
        metrics.addMetric(METRICS.failovers, MetricUnit.Count, tally.failovers);
        metrics.addMetric(METRICS.estimatedCostUsd, MetricUnit.NoUnit, tally.costUsd);
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

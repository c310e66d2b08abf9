import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSION, METRIC_SERVICES, METRICS, METRICS_NAMESPACE } from '../../lib/contracts';
import type { SamplingMetrics } from '../../lib/sampling/metrics';

/**
 * Powertools metrics (EMF) under the `Skymesh` namespace with dimensions { service, azId },
 * as the control stack's dashboard expects.
 */
export function powertoolsMetrics(): SamplingMetrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRIC_SERVICES.sampling });
  let azIdOfBatch: string | undefined;
  const withZone = (azId: string): Metrics => {
    if (azIdOfBatch !== azId) {
      if (azIdOfBatch !== undefined) metrics.publishStoredMetrics();
      metrics.addDimension(METRIC_DIMENSION, azId);
      azIdOfBatch = azId;
    }
    return metrics;
  };
  return {
    pollRecorded: (azId) => withZone(azId).addMetric(METRICS.samplingPolls, MetricUnit.Count, 1),
    runFinished: (azId, costUsd) => {
      const m = withZone(azId);
      m.addMetric(METRICS.samplingRuns, MetricUnit.Count, 1);
      m.addMetric(METRICS.samplingCostUsd, MetricUnit.NoUnit, costUsd);
    },
    flush: () => {
      if (azIdOfBatch !== undefined) metrics.publishStoredMetrics();
      azIdOfBatch = undefined;
    },
  };
}

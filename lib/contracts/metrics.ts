/**
 * The CloudWatch metrics the control stack's dashboard shows. The router and the sampling steps emit
 * them with Powertools Metrics (EMF) under {@link METRICS_NAMESPACE}, with exactly the dimensions
 * `service` (added by Powertools from POWERTOOLS_SERVICE_NAME) and {@link METRIC_DIMENSION} = the AZ ID;
 * the dashboard finds every zone with one SEARCH over that dimension set, so no list of zones is baked in.
 *
 * Plain constants with no CDK import, so handlers can import them.
 *
 * @example
 * const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRIC_SERVICES.router });
 * metrics.addDimension(METRIC_DIMENSION, azId);
 * metrics.addMetric(METRICS.invocations, MetricUnit.Count, 1);
 */
export const METRICS_NAMESPACE = 'Skymesh';

/** The per-zone dimension name. */
export const METRIC_DIMENSION = 'azId';

/** Values of the `service` dimension (POWERTOOLS_SERVICE_NAME) per emitter. */
export const METRIC_SERVICES = { router: 'sky-router', sampling: 'sky-sampling' } as const;

/** Metric names, each emitted with dimensions { service, azId }. */
export const METRICS = {
  /** Router: one per routed request, in the zone it was placed (Count). */
  invocations: 'Invocations',
  /** Router: attempts answered `rejected` because they landed on a rejected CPU (Count). */
  rejects: 'Rejects',
  /** Router: attempts beyond the first, for rejects and fail-overs (Count). */
  retries: 'Retries',
  /** Router: attempts sent to another zone than the previous attempt's (Count). */
  failovers: 'Failovers',
  /** Router: estimated billed cost of the request's attempts in USD (None; summed). */
  estimatedCostUsd: 'EstimatedCostUsd',
  /** Sampling: one per finished sampling run (Count). */
  samplingRuns: 'SamplingRuns',
  /** Sampling: one per recorded poll (Count). */
  samplingPolls: 'SamplingPolls',
  /** Sampling: estimated cost of a finished run in USD (None; summed). */
  samplingCostUsd: 'SamplingCostUsd',
} as const;

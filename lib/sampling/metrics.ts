/** What the sampling steps report (CloudWatch metrics in Lambda, see `lambda/sampling/metrics.ts`). */
export interface SamplingMetrics {
  pollRecorded(azId: string): void;
  runFinished(azId: string, costUsd: number): void;
  /** Writes what was recorded (EMF lines on stdout in Lambda). */
  flush(): void;
}

/** A sink that drops everything (tests, the twin, the local sky). */
export const NO_METRICS: SamplingMetrics = {
  pollRecorded: () => undefined,
  runFinished: () => undefined,
  flush: () => undefined,
};

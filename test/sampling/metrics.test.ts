import { powertoolsMetrics } from '../../lambda/sampling/metrics';
import { METRIC_DIMENSION, METRICS, METRICS_NAMESPACE } from '../../lib/contracts';

describe('sampling metrics', () => {
  const saved = process.env.AWS_LAMBDA_FUNCTION_NAME;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    else process.env.AWS_LAMBDA_FUNCTION_NAME = saved;
    jest.restoreAllMocks();
  });

  it('emits one EMF document per zone with the dashboard namespace and azId dimension', () => {
    // GIVEN a Lambda environment whose stdout we read
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'sky-steps-usw1-az1';
    const lines: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const metrics = powertoolsMetrics();
    // WHEN two zones report
    metrics.pollRecorded('usw1-az1');
    metrics.runFinished('usw1-az1', 0.12);
    metrics.pollRecorded('sae1-az1');
    metrics.flush();
    metrics.flush();
    // THEN
    const docs = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('_aws'))
      .map((l) => JSON.parse(l));
    expect(docs.map((d) => d[METRIC_DIMENSION])).toEqual(['usw1-az1', 'sae1-az1']);
    expect(docs[0]._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    expect(docs[0][METRICS.samplingRuns]).toBe(1);
    expect(docs[0][METRICS.samplingCostUsd]).toBe(0.12);
    expect(docs[1][METRICS.samplingPolls]).toBe(1);
  });
});

import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRIC_DIMENSION, METRIC_SERVICES, METRICS, METRICS_NAMESPACE } from '../contracts';
import { ROUTER_FUNCTION_NAME } from '../core/naming';

/** Properties of a {@link SkyDashboard}. */
export interface SkyDashboardProps {
  /** Regions whose sampling metrics to show (each zone's steps emit in its own region). */
  readonly regions: readonly string[];
  /**
   * Zones on other providers (AZ IDs such as `ibm-eu-gb`, `do-lon1`): the router emits their metrics, and their
   * sampling runs from this stack's region, so that region's sampling is searched too and the zones get a row of
   * their own.
   * @default - none
   */
  readonly externalZones?: readonly string[];
  /**
   * Name of the dashboard.
   * @default 'skymesh'
   */
  readonly dashboardName?: string;
  /**
   * Period of every graph.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * The control stack's CloudWatch dashboard: per zone, the router's invocations, rejects, retries,
 * fail-overs and estimated cost, the router function's own health, and the sampling runs, polls and
 * cost. Zones are found with SEARCH expressions over the `{Skymesh, azId, service}` dimension set (see
 * lib/contracts/metrics.ts), so a zone shows up as soon as it emits, without a list of zones in the template.
 * Zones on other providers are in those searches too (the router and their sampling emit as for Lambda zones); their
 * sampling runs in this stack's region, which is searched even where the mesh has no Lambda zone, and a row of graphs
 * shows them alone.
 */
export class SkyDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: SkyDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const home = Stack.of(this).region;
    const external = [...new Set(props.externalZones ?? [])];
    const samplingRegions =
      external.length > 0 && !props.regions.includes(home) ? [...props.regions, home] : props.regions;
    const perZone = (metric: string, label: string, region?: string) =>
      new cloudwatch.SearchExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${METRIC_DIMENSION},service} MetricName="${metric}"', 'Sum', ${period.toSeconds()})`,
        label: region ? `${label} ${region}` : label,
        period,
        searchRegion: region && region !== home ? region : undefined,
      });
    const routerGraph = (title: string, metric: string) =>
      new cloudwatch.GraphWidget({ title, left: [perZone(metric, metric)], width: 8, height: 6 });
    const samplingGraph = (title: string, metric: string) =>
      new cloudwatch.GraphWidget({
        title,
        left: samplingRegions.map((region) => perZone(metric, metric, region)),
        width: 8,
        height: 6,
        legendPosition: cloudwatch.LegendPosition.HIDDEN,
      });
    const routerFunction = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: ROUTER_FUNCTION_NAME },
        statistic,
        period,
      });

    const ofZone = (service: string, metricName: string, azId: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { [METRIC_DIMENSION]: azId, service },
        statistic: 'Sum',
        period,
        label: azId,
      });
    const externalGraph = (title: string, service: string, metric: string) =>
      new cloudwatch.GraphWidget({
        title,
        left: external.map((azId) => ofZone(service, metric, azId)),
        width: 8,
        height: 6,
      });
    const externalRow =
      external.length > 0
        ? [
            [
              externalGraph('Routed invocations, other providers', METRIC_SERVICES.router, METRICS.invocations),
              externalGraph('Fail-overs, other providers', METRIC_SERVICES.router, METRICS.failovers),
              externalGraph('Sampling cost, other providers (USD)', METRIC_SERVICES.sampling, METRICS.samplingCostUsd),
            ],
          ]
        : [];
    const intro =
      '# skymesh\nRouter metrics per zone (namespace `Skymesh`, dimension `azId`), the router function, and progressive sampling per zone in every region.' +
      (external.length > 0
        ? `\nZones on other providers: ${external.join(', ')} (their sampling, where they list sampler URLs, runs in ${home}).`
        : '');

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName ?? 'skymesh',
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown: intro,
            width: 24,
            height: external.length > 0 ? 3 : 2,
          }),
        ],
        [
          routerGraph('Routed invocations per zone', METRICS.invocations),
          routerGraph('Rejects per zone (landed on a rejected CPU)', METRICS.rejects),
          routerGraph('Retries per zone', METRICS.retries),
        ],
        [
          routerGraph('Fail-overs per zone', METRICS.failovers),
          routerGraph('Estimated cost per zone (USD)', METRICS.estimatedCostUsd),
          new cloudwatch.GraphWidget({
            title: `Router function (${ROUTER_FUNCTION_NAME})`,
            left: [
              routerFunction('Invocations', 'Sum'),
              routerFunction('Errors', 'Sum'),
              routerFunction('Throttles', 'Sum'),
            ],
            right: [routerFunction('Duration', 'p99')],
            width: 8,
            height: 6,
          }),
        ],
        [
          samplingGraph('Sampling runs per zone', METRICS.samplingRuns),
          samplingGraph('Sampling polls per zone', METRICS.samplingPolls),
          samplingGraph('Sampling cost per zone (USD)', METRICS.samplingCostUsd),
        ],
        ...externalRow,
      ],
    });
  }
}

import { carbonIntensityOf } from '../../catalog/carbon';
import { providerRegion } from '../../catalog/providers';
import type { ReportData } from '../types';
import { CHART_CONFIG, type Chart, lineWithPointsLayers, MARK_NAMES, PALETTE, zoneIndex } from './chart';

/**
 * The weighted objective's trade-off: for each workload, where the router places it as carbon weighs more
 * against cost, and the expected cost and carbon of that placement. A point per carbon weight, joined in weight
 * order; a point further left is cheaper, lower emits less.
 */
export function costCarbonChart(data: ReportData): Chart | undefined {
  const rows = data.costCarbon ?? [];
  if (rows.length === 0) return undefined;
  const label = zoneIndex(data.zones);
  const values = [...rows]
    .sort((a, b) => a.workload.localeCompare(b.workload) || a.carbonWeight - b.carbonWeight)
    .map((row) => ({
      workload: row.workload,
      carbonWeight: row.carbonWeight,
      target: `${label(row.azId)} ${row.arch} ${row.memoryMb} MB`,
      costUsdPer1000: row.costUsdPer1000,
      carbonGPer1000: row.carbonGPer1000,
    }));
  const encoding = {
    x: {
      field: 'costUsdPer1000',
      type: 'quantitative',
      title: 'expected cost per 1,000 requests (USD)',
      scale: { zero: false },
    },
    y: {
      field: 'carbonGPer1000',
      type: 'quantitative',
      title: 'expected gCO2e per 1,000 requests',
      scale: { zero: false },
    },
    color: { field: 'workload', type: 'nominal', title: 'workload', scale: { range: PALETTE } },
    order: { field: 'carbonWeight', type: 'quantitative' },
  } as const;
  const weights = [...new Set(rows.map((row) => row.carbonWeight))].sort((a, b) => a - b);
  return {
    id: 'cost-carbon',
    title: 'Cost against carbon under the weighted objective',
    paperFigure: 'beyond the papers',
    caption:
      `Where the router places each workload as carbon weighs more against cost (weights ${weights.join(', ')}; ` +
      'cost weighs 1, both scaled by their best value), and the expected cost and emissions of that placement. ' +
      gridSources(rows.map((row) => row.region)),
    spec: {
      config: CHART_CONFIG,
      width: 420,
      height: 260,
      data: { values },
      layer: [...lineWithPointsLayers(MARK_NAMES.costCarbonLines, MARK_NAMES.costCarbonPoints, encoding)],
    },
  };
}

/**
 * Where the grid intensities of `regions` come from, as the caption says it: each region's own figure, a provider
 * region's nearest AWS region's, and Cloud Carbon Footprint's average where no per-region figure exists.
 */
function gridSources(regions: readonly string[]): string {
  const sources = new Map<string, Set<string>>();
  for (const region of new Set(regions)) {
    const provider = providerRegion(region);
    const intensity = carbonIntensityOf(provider?.region.gridLike ?? region);
    const name =
      intensity.source === 'electricity-maps'
        ? `Electricity Maps, yearly ${intensity.year} (ODbL)`
        : `Cloud Carbon Footprint's ${intensity.year} average of the regions it lists (no per-region figure)`;
    if (!sources.has(name)) sources.set(name, new Set());
    sources.get(name)?.add(provider ? `${region} (as ${provider.region.gridLike ?? 'unknown'})` : region);
  }
  const parts = [...sources].map(([name, where]) =>
    sources.size === 1 ? name : `${name} for ${[...where].sort().join(', ')}`,
  );
  return `Grid intensities: ${parts.join('; ')}.`;
}

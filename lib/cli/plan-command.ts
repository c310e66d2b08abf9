import { type Command, InvalidArgumentError } from 'commander';
import { PAPER_MEMORY_SIZES } from '../../lambda/router/environment';
import { corePlacerFactory } from '../../lambda/router/placer';
import { parseRouterRequest } from '../../lambda/router/request';
import type { Placer, RouterStore } from '../../lambda/router/types';
import { ViewCache } from '../../lambda/router/view-cache';
import { createDocumentClient } from '../aws/dynamo-client';
import { SkyStore } from '../aws/store';
import { regionFacts, regionOfAzId } from '../catalog';
import type { Arch, Characterization, Objective, Placement, PlacementRequest, RoutingView } from '../core/types';
import { addPlacementOptions, type PlacementCliOptions, parsePositiveInt, usd } from './router-options';

export interface PlanCliOptions extends PlacementCliOptions {
  readonly top: number;
  readonly table: string;
  readonly region: string;
  readonly endpointUrl?: string;
  readonly json?: boolean;
}

/** One candidate zone: the best placement the core router finds within it. */
export interface PlanRow {
  readonly rank: number;
  readonly chosen: boolean;
  readonly azId: string;
  readonly region: string;
  readonly placement: Placement;
  /** CPU shares of the zone's characterization, if it has one. */
  readonly mix?: Readonly<Record<string, number>>;
  readonly measuredAt?: string;
}

export interface Plan {
  readonly profile: string;
  readonly chosen: Placement;
  readonly candidates: readonly PlanRow[];
  readonly zonesRead: number;
}

/**
 * `sky plan`: where a request would go and why, from the characterizations and profiles stored in
 * the table, without invoking anything: the placement the router would take, then the best
 * placement within each allowed zone, ranked by the objective.
 */
export function registerPlanCommand(program: Command): void {
  addPlacementOptions(
    program
      .command('plan')
      .description('show where a request would be placed and why (expected cost per candidate), invoking nothing'),
  )
    .option('--top <n>', 'candidates to show', parsePositiveInt, 5)
    .option('--table <name>', 'the skymesh table', 'skymesh')
    .option('--region <region>', 'region of the table (the home region)', process.env.AWS_REGION ?? 'us-west-2')
    .option('--endpoint-url <url>', 'DynamoDB endpoint, e.g. a local server')
    .option('--json', 'print the plan as JSON')
    .action(async (options: PlanCliOptions) => {
      const store = new SkyStore({
        client: createDocumentClient({ region: options.region, endpoint: options.endpointUrl }),
        tableName: options.table,
      });
      const plan = await runPlan(options, store).catch((error: unknown) => {
        throw new Error(explainStoreError(error, options));
      });
      console.log(options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
    });
}

/** Reads the table once and plans the request. */
export async function runPlan(
  options: PlanCliOptions,
  store: Pick<RouterStore, 'latestCharacterizations' | 'profiles'>,
  now: number = Date.now(),
): Promise<Plan> {
  if (!options.workload) throw new InvalidArgumentError('give --workload');
  const request = parseRouterRequest({
    workload: options.workload,
    ...(options.size ? { size: options.size } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  });
  const zones = await store.latestCharacterizations();
  const deployed = deployedZones(zones, options.zones);
  if (deployed.length === 0) {
    throw new Error(
      `the table holds no characterization${options.zones ? ' and --zones named none' : ''}; ` +
        'run the sampling first (or pass --zones to plan with uncharacterized zones)',
    );
  }
  const cache = new ViewCache({
    store,
    config: {
      deployed,
      architectures: options.arch ? [options.arch] : (['x86_64', 'arm64'] as Arch[]),
      memorySizes: options.memory ?? [...PAPER_MEMORY_SIZES],
      regionFacts,
    },
    placerFactory: corePlacerFactory(),
    clock: () => now,
    ttlMs: 60_000,
    onLoadError: (error) => {
      throw error;
    },
  });
  const { view, placer } = await cache.get();
  const placementRequest: PlacementRequest = {
    workload: request.profile,
    ...(options.objective !== undefined ? { objective: options.objective } : {}),
    ...(options.strategy ? { strategy: options.strategy } : {}),
    limits: {
      ...(options.regions ? { regions: options.regions } : {}),
      ...(options.arch ? { architectures: [options.arch] } : {}),
      ...(options.memory ? { memorySizes: options.memory } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.maxAddedLatencyMs !== undefined ? { maxAddedLatencyMs: options.maxAddedLatencyMs } : {}),
      ...(options.clientLocation ? { clientLocation: options.clientLocation } : {}),
    },
  };
  const chosen = placer.place(placementRequest);
  const candidates = rankCandidates(view, placer, placementRequest, chosen).slice(0, options.top);
  return { profile: request.profile, chosen, candidates, zonesRead: zones.length };
}

function deployedZones(
  zones: readonly Characterization[],
  named: readonly string[] | undefined,
): Array<{ azId: string; region: string }> {
  const out = new Map<string, { azId: string; region: string }>();
  for (const z of zones) if (!named || named.includes(z.azId)) out.set(z.azId, { azId: z.azId, region: z.region });
  for (const azId of named ?? []) {
    if (out.has(azId)) continue;
    const region = regionOfAzId(azId);
    if (!region) throw new InvalidArgumentError(`${azId} is not a known AZ ID`);
    out.set(azId, { azId, region });
  }
  return [...out.values()];
}

/**
 * The best placement within each allowed zone (the core router restricted to that zone), ranked by
 * the objective: expected cost, expected time (runtime plus added latency), or carbon; weights rank
 * by cost.
 */
export function rankCandidates(
  view: RoutingView,
  placer: Placer,
  request: PlacementRequest,
  chosen: Placement,
): PlanRow[] {
  const limits = request.limits ?? {};
  const rows: Array<Omit<PlanRow, 'rank'>> = [];
  for (const zone of view.deployed) {
    if (limits.regions && !limits.regions.includes(zone.region)) continue;
    let placement: Placement;
    try {
      placement = placer.place({ ...request, limits: { ...limits, zones: [zone.azId] } });
    } catch {
      continue;
    }
    const characterization = view.zones.find((z) => z.azId === zone.azId);
    rows.push({
      chosen: placement.target.functionName === chosen.target.functionName,
      azId: zone.azId,
      region: zone.region,
      placement,
      ...(characterization ? { mix: sharesOf(characterization), measuredAt: characterization.measuredAt } : {}),
    });
  }
  const key = scoreOf(request.objective);
  rows.sort((a, b) => Number(b.chosen) - Number(a.chosen) || key(a.placement) - key(b.placement));
  return rows.map((row, i) => ({ ...row, rank: i + 1 }));
}

function scoreOf(objective: Objective | undefined): (p: Placement) => number {
  if (objective === 'latency') return (p) => p.expected.runtimeMs + p.expected.addedLatencyMs;
  if (objective === 'carbon') return (p) => p.expected.carbonG;
  return (p) => p.expected.costUsd;
}

function sharesOf(c: Characterization): Record<string, number> {
  const total = Object.values(c.counts).reduce((a, b) => a + b, 0);
  const shares: Record<string, number> = {};
  for (const [cpu, n] of Object.entries(c.counts)) shares[cpu] = total > 0 ? n / total : 0;
  return shares;
}

/** A readable rendering of a plan. */
export function formatPlan(plan: Plan): string {
  const c = plan.chosen;
  const lines = [
    `${plan.profile} → ${c.target.functionName} (${c.target.region}), strategy ${c.strategy}`,
    `  reject [${c.rejectCpus.join(', ') || 'none'}], hold ${c.holdMs} ms, up to ${c.maxAttempts} attempts; ` +
      `expected ${usd(c.expected.costUsd)} per call, ${c.expected.attempts.toFixed(2)} attempts, ` +
      `${c.expected.runtimeMs.toFixed(0)} ms, +${c.expected.addedLatencyMs.toFixed(0)} ms`,
    ...c.notes.map((n) => `  note: ${n}`),
    '',
    `best placement per zone (${plan.zonesRead} characterizations read):`,
    [
      'rank',
      'zone',
      'function',
      'reject',
      'attempts',
      'runtime ms',
      '+latency ms',
      'cost/1k calls',
      'gCO2e/1k',
      'mix',
    ].join(' | '),
  ];
  for (const row of plan.candidates) {
    const p = row.placement;
    const mix = row.mix
      ? Object.entries(row.mix)
          .sort((a, b) => b[1] - a[1])
          .map(([cpu, share]) => `${cpu} ${(share * 100).toFixed(0)}%`)
          .join(', ')
      : 'not characterized';
    lines.push(
      [
        `${row.rank}${row.chosen ? '*' : ''}`,
        row.azId,
        p.target.functionName,
        p.rejectCpus.join(',') || '-',
        p.expected.attempts.toFixed(2),
        p.expected.runtimeMs.toFixed(0),
        p.expected.addedLatencyMs.toFixed(0),
        usd(p.expected.costUsd * 1000),
        (p.expected.carbonG * 1000).toFixed(3),
        mix,
      ].join(' | '),
    );
  }
  lines.push('* the placement the router would take');
  return lines.join('\n');
}

/** Turns table access errors into what to do about them. */
export function explainStoreError(
  error: unknown,
  options: Pick<PlanCliOptions, 'table' | 'region' | 'endpointUrl'>,
): string {
  const e = error as { name?: string; message?: string };
  const where = options.endpointUrl ? `at ${options.endpointUrl}` : `in ${options.region}`;
  switch (e.name) {
    case 'ResourceNotFoundException':
      return `table ${options.table} not found ${where}; deploy the control stack, or pass --table / --region / --endpoint-url`;
    case 'CredentialsProviderError':
      return 'no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --endpoint-url for a local DynamoDB';
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return `the AWS credentials were refused (${e.name}); refresh them (e.g. aws sso login)`;
    case 'AccessDeniedException':
      return `not allowed to read table ${options.table} ${where}: ${e.message}`;
    default:
      return e.message ?? String(error);
  }
}

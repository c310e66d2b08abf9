import { type Command, InvalidArgumentError } from 'commander';
import { createDocumentClient } from '../aws/dynamo-client';
import { SkyStore } from '../aws/store';
import { regionFacts, regionOfAzId } from '../catalog';
import { PAPER_MEMORY_SIZES } from '../contracts';
import { type RankedTarget, Router } from '../core/router';
import type { Arch, Characterization, Placement, PlacementRequest } from '../core/types';
import { parseRouterRequest } from '../routing/request';
import type { RouterStore } from '../routing/types';
import { addPlacementOptions, type PlacementCliOptions, parsePositiveInt, usd } from './router-options';

export interface PlanCliOptions extends PlacementCliOptions {
  readonly top: number;
  readonly table: string;
  readonly region: string;
  readonly endpointUrl?: string;
  readonly json?: boolean;
}

/** One candidate target, as the core router ranks them. */
export interface PlanRow extends RankedTarget {
  readonly rank: number;
  /** The target the router would take. */
  readonly chosen: boolean;
  /** CPU shares of the target zone's characterization, if it has one. */
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
 * the table, without invoking anything: the placement the router would take, then the top targets
 * as the core router ranks them (expected cost, attempts, runtime, added latency, carbon, reject set).
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

/** Reads the table once and plans the request with the core router. */
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
  const [zones, profiles] = await Promise.all([store.latestCharacterizations(), store.profiles()]);
  const deployed = deployedZones(zones, options.zones);
  if (deployed.length === 0) {
    throw new Error(
      'the table holds no characterization; run the sampling first (or pass --zones to plan with uncharacterized zones)',
    );
  }
  const deployedIds = new Set(deployed.map((z) => z.azId));
  const regions: Record<string, ReturnType<typeof regionFacts>> = {};
  for (const z of deployed) regions[z.region] ??= regionFacts(z.region);
  const view = {
    zones: zones.filter((z) => deployedIds.has(z.azId)),
    deployed,
    architectures: options.arch ? [options.arch] : (['x86_64', 'arm64'] as Arch[]),
    memorySizes: options.memory ?? [...PAPER_MEMORY_SIZES],
    profiles,
    regions,
    now,
  };
  const router = new Router(view);
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
  const chosen = router.place(placementRequest);
  const candidates = router.rank(placementRequest, options.top).map((ranked, i): PlanRow => {
    const characterization = view.zones.find((z) => z.azId === ranked.target.azId);
    return {
      ...ranked,
      rank: i + 1,
      chosen: ranked.target.functionName === chosen.target.functionName,
      ...(characterization ? { mix: sharesOf(characterization), measuredAt: characterization.measuredAt } : {}),
    };
  });
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
    `${plan.profile} -> ${c.target.functionName} (${c.target.region}), strategy ${c.strategy}`,
    `  reject [${c.rejectCpus.join(', ') || 'none'}], hold ${c.holdMs} ms, up to ${c.maxAttempts} attempts; ` +
      `expected ${usd(c.expected.costUsd)} per call, ${c.expected.attempts.toFixed(2)} attempts, ` +
      `${c.expected.runtimeMs.toFixed(0)} ms, +${c.expected.addedLatencyMs.toFixed(0)} ms`,
    ...c.notes.map((n) => `  note: ${n}`),
    ...(c.fallbacks.length > 0 ? [`  failover order: ${c.fallbacks.map((t) => t.functionName).join(', ')}`] : []),
    '',
    `top ${plan.candidates.length} targets by the objective (${plan.zonesRead} zone characterizations read):`,
    [
      'rank',
      'function',
      'reject',
      'attempts',
      'runtime ms',
      '+latency ms',
      'cost/1k calls',
      'gCO2e/1k',
      'zone mix',
    ].join(' | '),
  ];
  for (const row of plan.candidates) {
    const mix = row.mix
      ? Object.entries(row.mix)
          .sort((a, b) => b[1] - a[1])
          .map(([cpu, share]) => `${cpu} ${(share * 100).toFixed(0)}%`)
          .join(', ')
      : 'not characterized';
    lines.push(
      [
        `${row.rank}${row.chosen ? '*' : ''}`,
        row.target.functionName,
        row.rejectCpus.join(',') || '-',
        row.expected.attempts.toFixed(2),
        row.expected.runtimeMs.toFixed(0),
        row.expected.addedLatencyMs.toFixed(0),
        usd(row.expected.costUsd * 1000),
        (row.expected.carbonG * 1000).toFixed(3),
        mix,
      ].join(' | '),
    );
  }
  lines.push('* the target the router would take');
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

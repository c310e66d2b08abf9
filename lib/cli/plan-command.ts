import { type Command, InvalidArgumentError } from 'commander';
import { createDocumentClient } from '../aws/dynamo-client';
import { SkyStore } from '../aws/store';
import { regionFacts, regionOfAzId } from '../catalog';
import { FUNCTION_ENV } from '../contracts';
import { type RankedTarget, Router } from '../core/router';
import type { Arch, Characterization, Placement, PlacementRequest } from '../core/types';
import { formatMix, shortCpuLabel, textTable, wrapText } from '../report/format';
import { DEFAULT_FUNCTION_TIMEOUT_MS } from '../routing/config';
import { routerEnvironment } from '../routing/environment';
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
    .option(
      '--table <name>',
      'the skymesh table (default: SKY_TABLE_NAME, else skymesh)',
      process.env.SKY_TABLE_NAME ?? 'skymesh',
    )
    .option('--region <region>', 'region of the table (the home region)', process.env.AWS_REGION ?? 'us-west-2')
    .option(
      '--endpoint-url <url>',
      'DynamoDB endpoint, e.g. a local server (default: AWS_ENDPOINT_URL_DYNAMODB)',
      process.env.AWS_ENDPOINT_URL_DYNAMODB,
    )
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
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Plan> {
  if (!options.workload) throw new InvalidArgumentError('give --workload');
  const request = parseRouterRequest({
    workload: options.workload,
    ...(options.size ? { size: options.size } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  });
  const [zones, profiles] = await Promise.all([store.latestCharacterizations(), store.profiles()]);
  const deployed = deployedOf(zones, options.zones, env);
  if (deployed.zones.length === 0) {
    throw new Error(
      'the table holds no characterization; run the sampling first (or pass --zones to plan with uncharacterized zones)',
    );
  }
  const deployedIds = new Set(deployed.zones.map((z) => z.azId));
  const regions: Record<string, ReturnType<typeof regionFacts>> = {};
  for (const z of deployed.zones) regions[z.region] ??= regionFacts(z.region);
  const view = {
    zones: zones.filter((z) => deployedIds.has(z.azId)),
    deployed: deployed.zones,
    architectures: deployed.architectures,
    memorySizes: deployed.memorySizes,
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
      // As the router holds a call to it: no target where the work would pass the functions' timeout.
      timeoutMs: deployed.functionTimeoutMs,
    },
  };
  const chosen = router.place(placementRequest);
  // The target the router takes comes first; the others follow in the router's ranking.
  const ranked = router.rank(placementRequest, Number.MAX_SAFE_INTEGER);
  const first = ranked.findIndex((r) => r.target.functionName === chosen.target.functionName);
  const ordered = first > 0 ? [ranked[first], ...ranked.slice(0, first), ...ranked.slice(first + 1)] : ranked;
  const candidates = ordered.slice(0, options.top).map((target, i): PlanRow => {
    const characterization = view.zones.find((z) => z.azId === target.target.azId);
    return {
      ...target,
      rank: i + 1,
      chosen: target.target.functionName === chosen.target.functionName,
      ...(characterization ? { mix: sharesOf(characterization), measuredAt: characterization.measuredAt } : {}),
    };
  });
  return { profile: request.profile, chosen, candidates, zonesRead: zones.length };
}

/**
 * What the router places on, read as the router Lambda reads it (`SKY_ZONES`, `SKY_MEMORY_SIZES`,
 * `SKY_ARCHITECTURES`, which `sky local --serve` prints), so that plan ranks exactly the targets invoke
 * can reach. Without `SKY_ZONES`: the zones with a characterization (or those given with --zones); the
 * memory sizes and architectures default as the router's do.
 */
function deployedOf(
  zones: readonly Characterization[],
  named: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
): {
  zones: Array<{ azId: string; region: string }>;
  memorySizes: number[];
  architectures: Arch[];
  functionTimeoutMs: number;
} {
  const characterized = new Map<string, { azId: string; region: string }>();
  for (const z of zones) characterized.set(z.azId, { azId: z.azId, region: z.region });
  for (const azId of named ?? []) {
    if (characterized.has(azId)) continue;
    const region = regionOfAzId(azId);
    if (!region) throw new InvalidArgumentError(`${azId} is not a known AZ ID`);
    characterized.set(azId, { azId, region });
  }
  const fallbackZones = [...characterized.values()]
    .filter((z) => !named || named.includes(z.azId))
    .map((z) => `${z.region}:${z.azId}`)
    .join(',');
  if (!env[FUNCTION_ENV.zones] && fallbackZones === '') {
    return { zones: [], memorySizes: [], architectures: [], functionTimeoutMs: DEFAULT_FUNCTION_TIMEOUT_MS };
  }
  const { config } = routerEnvironment(
    {
      ...env,
      [FUNCTION_ENV.zones]: env[FUNCTION_ENV.zones] || fallbackZones,
      [FUNCTION_ENV.tableRegion]: env[FUNCTION_ENV.tableRegion] ?? env.AWS_REGION ?? 'us-west-2',
    },
    { regionFacts, regionOfAzId },
  );
  const deployed = config.deployed.filter((z) => !named || named.includes(z.azId));
  return {
    zones: [...deployed],
    memorySizes: [...config.memorySizes],
    architectures: [...config.architectures],
    functionTimeoutMs: config.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS,
  };
}

function sharesOf(c: Characterization): Record<string, number> {
  const total = Object.values(c.counts).reduce((a, b) => a + b, 0);
  const shares: Record<string, number> = {};
  for (const [cpu, n] of Object.entries(c.counts)) shares[cpu] = total > 0 ? n / total : 0;
  return shares;
}

/** A readable rendering of a plan within 100 columns: the choice, the ranked targets, what each column means. */
export function formatPlan(plan: Plan): string {
  const c = plan.chosen;
  const lines = [
    `${plan.profile} -> ${c.target.functionName} (${c.target.region}), strategy ${c.strategy}`,
    `  reject [${c.rejectCpus.map(shortCpuLabel).join(', ') || 'none'}], hold ${c.holdMs} ms, up to ${c.maxAttempts} attempts`,
    `  expected per call: ${usd(c.expected.costUsd)}, ${c.expected.attempts.toFixed(2)} attempts, ` +
      `${c.expected.runtimeMs.toFixed(0)} ms run time, +${c.expected.addedLatencyMs.toFixed(0)} ms added latency`,
    wrapText(
      `evidence: ${c.evidence.level} (runtimes ${c.evidence.runtime}, zone mix ${c.evidence.mix})` +
        (c.evidence.level === 'assumed' ? ': nothing observed supports this target; its figures are a guess' : ''),
      100,
      '  ',
    ),
    ...c.notes.map((n) => wrapText(`note: ${n}`, 100, '  ')),
    ...(c.fallbacks.length > 0
      ? [wrapText(`failover order: ${c.fallbacks.map((t) => t.functionName).join(', ')}`, 100, '  ')]
      : []),
    '',
    `The ${plan.candidates.length} best targets by the objective (${plan.zonesRead} zone characterizations read):`,
    textTable(
      ['#', 'function', 'reject', 'attempts', 'runtime', '+latency', 'cost/call', 'gCO2e/1k', 'evidence'],
      plan.candidates.map((row) => [
        `${row.rank}${row.chosen ? '*' : ''}`,
        row.target.functionName,
        row.rejectCpus.map(shortCpuLabel).join(',') || '-',
        row.expected.attempts.toFixed(2),
        `${row.expected.runtimeMs.toFixed(0)} ms`,
        `${row.expected.addedLatencyMs.toFixed(0)} ms`,
        usd(row.expected.costUsd),
        (row.expected.carbonG * 1000).toFixed(3),
        row.evidence.level,
      ]),
      [3, 4, 5, 6, 7],
    ),
  ];
  const mixes = new Map<string, string>();
  for (const row of plan.candidates) {
    mixes.set(row.target.azId, row.mix ? formatMix(row.mix, true) : 'not characterized');
  }
  lines.push(
    wrapText(
      '* the target the router takes (the rest follow by score; equal scores: the shorter runtime first). ' +
        'reject: CPUs whose instances are refused and retried. attempts: expected invocations per call. ' +
        'runtime: expected run time of the accepted attempt. +latency: expected time added by rejected ' +
        'attempts and distance. cost/call: expected Lambda charge per call, retries included. gCO2e/1k: ' +
        'expected grams of CO2e per 1,000 calls. evidence: measured (runtimes observed on every CPU of the ' +
        'target, zone mix measured), estimated (carried over from other CPUs or memory sizes, or a prior mix), ' +
        'assumed (the workload never ran on this architecture, or at all: a guess).',
      100,
      '  ',
    ),
    'zone mixes:',
    ...[...mixes].map(([azId, mix]) => `  ${azId}: ${mix}`),
  );
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

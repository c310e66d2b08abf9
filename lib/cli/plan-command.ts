import { type Command, InvalidArgumentError } from 'commander';
import { createDocumentClient } from '../aws/dynamo-client';
import { SkyStore } from '../aws/store';
import { regionFacts, regionOfAzId } from '../catalog';
import { DYNAMODB_TABLE_NAME_ALLOWED, DYNAMODB_TABLE_NAME_PATTERN, FUNCTION_ENV } from '../contracts';
import type { InitBilling } from '../core/cost-model';
import { characterizationArch } from '../core/cpu';
import { initBillingOf, MIN_INIT_REPORTS } from '../core/init-evidence';
import type { RankedTarget } from '../core/router';
import type { Characterization, Placement } from '../core/types';
import { externalZonesFromEnv, withExternalZones } from '../providers';
import { formatMix, shortCpuLabel, textTable, wrapText } from '../report/format';
import type { RouterConfig } from '../routing/config';
import { routerEnvironment } from '../routing/environment';
import { RoutingService } from '../routing/service';
import { silentTelemetry } from '../routing/telemetry';
import type { RouterStore } from '../routing/types';
import {
  addPlacementOptions,
  checkRequestBody,
  envUrl,
  type PlacementCliOptions,
  parsePositiveInt,
  requestBodyOf,
  urlArg,
  usd,
} from './router-options';

export interface PlanCliOptions extends PlacementCliOptions {
  readonly top: number;
  readonly table: string;
  readonly region: string;
  readonly endpointUrl?: string;
  readonly json?: boolean;
}

/** One candidate target, as the routing service ranks them. */
export interface PlanRow extends RankedTarget {
  readonly rank: number;
  /** The target the router would take. */
  readonly chosen: boolean;
  /** CPU shares of the target zone's characterization, if it has one. */
  readonly mix?: Readonly<Record<string, number>>;
  readonly measuredAt?: string;
  /**
   * New instances that routed calls met in the target zone, each weighed by its age (the passive counts
   * as merged into the mix the router places from).
   */
  readonly passiveInstances?: number;
}

export interface Plan {
  readonly profile: string;
  readonly chosen: Placement;
  readonly candidates: readonly PlanRow[];
  readonly zonesRead: number;
  /** The INIT placements price: the mean the new instances reported once enough did, else the router's prior. */
  readonly init: Required<InitBilling> & { readonly reports: number };
  /** The threads the profile's runtimes are scaled by across memory sizes: the request's, else the stored ones. */
  readonly parallelism?: number;
}

/**
 * `sky plan`: where a request would go and why, from the characterizations, passive counts and profiles
 * stored in the table, without invoking anything: the placement the router would take, then the top
 * targets as the routing service ranks them (expected cost, attempts, runtime, added latency, carbon,
 * reject set).
 */
export function registerPlanCommand(program: Command): void {
  addPlacementOptions(
    program
      .command('plan')
      .description('show where a request would be placed and why (expected cost per candidate), invoking nothing'),
  )
    .option('--top <n>', 'candidates to show', parsePositiveInt, 5)
    .option('--table <name>', 'the skymesh table (default: SKY_TABLE_NAME, else skymesh)', tableNameArg)
    .option('--region <region>', 'region of the table, the home region (default: AWS_REGION, else us-west-2)')
    .option(
      '--endpoint-url <url>',
      'DynamoDB endpoint, e.g. a local server (default: AWS_ENDPOINT_URL_DYNAMODB)',
      urlArg,
    )
    .option('--json', 'print the plan as JSON')
    .action(
      async (given: Omit<PlanCliOptions, 'table' | 'region'> & Partial<Pick<PlanCliOptions, 'table' | 'region'>>) => {
        const options = {
          ...given,
          table: given.table ?? envTableName(),
          region: given.region ?? process.env.AWS_REGION ?? 'us-west-2',
          endpointUrl: given.endpointUrl ?? envUrl('AWS_ENDPOINT_URL_DYNAMODB'),
        };
        const store = new SkyStore({
          client: createDocumentClient({ region: options.region, endpoint: options.endpointUrl }),
          tableName: options.table,
        });
        const plan = await runPlan(options, store).catch((error: unknown) => {
          // A bad option is the user's to fix, not a failure to read the table.
          if (error instanceof InvalidArgumentError) throw error;
          throw new Error(explainStoreError(error, options));
        });
        console.log(options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
      },
    );
}

/** A DynamoDB table name option, refused at once when DynamoDB would refuse it. */
function tableNameArg(value: string): string {
  if (!DYNAMODB_TABLE_NAME_PATTERN.test(value)) throw new InvalidArgumentError(DYNAMODB_TABLE_NAME_ALLOWED);
  return value;
}

/** The table `SKY_TABLE_NAME` names (else `skymesh`), checked as `--table` is, naming the variable. */
function envTableName(): string {
  const name = process.env[FUNCTION_ENV.tableName];
  if (name === undefined) return 'skymesh';
  if (!DYNAMODB_TABLE_NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(`${FUNCTION_ENV.tableName}=${name}: ${DYNAMODB_TABLE_NAME_ALLOWED}`);
  }
  return name;
}

/**
 * Plans the request through the routing service, as the router Lambda would place it: the router's
 * settings from the environment (`routerEnvironment`, and the external zones of `SKY_ENDPOINTS`), the
 * same request parsing, and the same view (every characterization merged with the zones' passive
 * counts, the functions' hosts, the INIT reports, the profiles' threads) and placer. Reads the table, writes nothing.
 */
export async function runPlan(
  options: PlanCliOptions,
  store: PlanStore,
  now: number = Date.now(),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Plan> {
  if (!options.workload) throw new InvalidArgumentError('give --workload');
  checkRequestBody(requestBodyOf(options));
  // One read of the characterizations serves both what is deployed (without SKY_ZONES) and the view.
  const read = store.latestCharacterizations();
  const zones = await read;
  const config = routerConfigOf(zones, options.zones, env);
  if (config.deployed.length === 0) {
    throw new Error(
      'the table holds no characterization; run the sampling first (or pass --zones to plan with uncharacterized zones)',
    );
  }
  const service = new RoutingService({
    store: readOnly(store, read),
    invoker: { invoke: () => Promise.reject(new Error('sky plan invokes nothing')) },
    config,
    clock: () => now,
    telemetry: silentTelemetry,
  });
  const { profile, placement: chosen, ranked, view } = await service.plan(requestBodyOf(options));
  // The target the router takes comes first; the others follow in the router's ranking.
  const first = ranked.findIndex((r) => r.target.functionName === chosen.target.functionName);
  const ordered = first > 0 ? [ranked[first]!, ...ranked.slice(0, first), ...ranked.slice(first + 1)] : ranked;
  const candidates = ordered.slice(0, options.top).map((target, i): PlanRow => {
    const zone = view.zones.filter((z) => z.azId === target.target.azId);
    // the target's architecture's own characterization, else the zone's x86_64 one (arm64 never sampled)
    const characterization =
      zone.find((z) => characterizationArch(z) === target.target.arch) ??
      zone.find((z) => characterizationArch(z) === 'x86_64');
    const passive = view.passive?.[target.target.azId];
    const passiveInstances = passive ? Object.values(passive).reduce((a, b) => a + Math.max(b, 0), 0) : 0;
    return {
      ...target,
      rank: i + 1,
      chosen: target.target.functionName === chosen.target.functionName,
      ...(characterization ? { mix: sharesOf(characterization), measuredAt: characterization.measuredAt } : {}),
      ...(passiveInstances > 0 ? { passiveInstances } : {}),
    };
  });
  const parallelism = options.parallelism ?? view.parallelism?.[profile];
  return {
    profile,
    chosen,
    candidates,
    zonesRead: zones.length,
    init: { ...initBillingOf(view.initEvidence), reports: view.initEvidence?.count ?? 0 },
    ...(parallelism !== undefined ? { parallelism } : {}),
  };
}

/** What `sky plan` reads of the table: all the router's view reads. */
export type PlanStore = Pick<
  RouterStore,
  'latestCharacterizations' | 'profiles' | 'allPassiveCounts' | 'allFunctionHosts' | 'allInitSums' | 'allParallelism'
>;

/** The store as `sky plan` uses it: the characterizations already read, the rest as the router reads it, no writes. */
function readOnly(store: PlanStore, characterizations: Promise<readonly Characterization[]>): RouterStore {
  const refuse = (): Promise<void> => Promise.reject(new Error('sky plan writes nothing'));
  const { allFunctionHosts, allInitSums, allParallelism } = store;
  return {
    latestCharacterizations: () => characterizations,
    profiles: () => store.profiles(),
    allPassiveCounts: () => store.allPassiveCounts(),
    ...(allFunctionHosts ? { allFunctionHosts: () => allFunctionHosts.call(store) } : {}),
    ...(allInitSums ? { allInitSums: () => allInitSums.call(store) } : {}),
    ...(allParallelism ? { allParallelism: () => allParallelism.call(store) } : {}),
    addProfileSums: refuse,
    addPassiveCpu: refuse,
  };
}

/**
 * The router's configuration, read as the router Lambda reads it (`SKY_ZONES`, `SKY_MEMORY_SIZES`,
 * `SKY_ARCHITECTURES`, `SKY_ENDPOINTS`, ..., which `sky local --serve` prints), so that plan ranks exactly
 * the targets invoke can reach. Without `SKY_ZONES`: the zones with a characterization and those given
 * with --zones; the memory sizes and architectures default as the router's do.
 */
function routerConfigOf(
  zones: readonly Characterization[],
  named: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
): RouterConfig {
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
  const external = externalZonesFromEnv(env);
  if (!env[FUNCTION_ENV.zones] && fallbackZones === '' && external.length === 0) {
    return { deployed: [], memorySizes: [], architectures: [], regionFacts };
  }
  const { config } = routerEnvironment(
    {
      ...env,
      [FUNCTION_ENV.zones]: env[FUNCTION_ENV.zones] || fallbackZones,
      [FUNCTION_ENV.tableRegion]: env[FUNCTION_ENV.tableRegion] ?? env.AWS_REGION ?? 'us-west-2',
    },
    { regionFacts, regionOfAzId },
  );
  return withExternalZones(config, external);
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
    wrapText(
      `a new instance's INIT priced at ${Math.round(plan.init.initMs)} ms, ${plan.init.billed ? 'billed' : 'not billed'} ` +
        (plan.init.reports >= MIN_INIT_REPORTS
          ? `(as ${plan.init.reports} new instances reported)`
          : `(the router's prior: ${plan.init.reports} of the ${MIN_INIT_REPORTS} reports it waits for)`) +
        `; threads: ${plan.parallelism ?? '1 (none said)'}`,
      100,
      '  ',
    ),
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
    const mix = row.mix ? formatMix(row.mix, true) : 'not characterized';
    const passive = row.passiveInstances
      ? `; merged with ${Math.round(row.passiveInstances)} instances met by routed calls (weighed by age)`
      : '';
    mixes.set(row.target.azId, `${mix}${passive}`);
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
    'zone mixes (as sampled):',
    ...[...mixes].map(([azId, mix]) => wrapText(`${azId}: ${mix}`, 100, '  ')),
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
      return `reading table ${options.table} ${where}: ${e.message || e.name || String(error)}`;
  }
}

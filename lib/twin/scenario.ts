import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { REGION_CODES, regionInfo } from '../catalog';
import { PROVIDERS as CATALOG_PROVIDERS } from '../catalog/providers';
import { DEFAULT_HOLD_MS, LAMBDA_MEMORY_MB } from '../contracts';
import { archOfCpu, cpuKeyOf } from '../core/cpu';
import type { CpuKey } from '../core/types';
import { ScenarioError, type ScenarioIssue } from './errors';
import { unsafeKeyIssues } from './scenario-keys';
import {
  DYNAMIC_TIMEOUT_MS,
  fitsScenarioTimeout,
  modelRuntimeMs,
  SCENARIO_FIT_SIGMAS,
  scenarioHeadroom,
} from './workload-model';

/**
 * The twin's scenario format (see the scenario spec in the project docs): zones whose host CPU
 * mix changes day by day, and workloads whose runtime depends on the CPU. Parsing is strict: an
 * unknown field is refused as a likely typo, and every rule names the field it checks.
 */

/** Shares of one day's mix must sum to 1 within this tolerance. */
export const MIX_SUM_TOLERANCE = 0.001;

const AZ_ID = /^[a-z]{2,5}\d-az\d+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** Zones of other providers: `<provider prefix>-<region>` (`ibm-us-south`, `do-nyc3`). */
const PROVIDER_ZONE = /^(ibm|do)-[a-z0-9]+(-[a-z0-9]+)*$/;
const OTHER_REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ZONE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const MEMORY_KEY = /^[1-9]\d{2,4}$/;

/** The FaaS providers a zone may be on; `aws` is Lambda. */
export const PROVIDERS = ['aws', 'ibm-code-engine', 'digitalocean'] as const;
export type Provider = (typeof PROVIDERS)[number];
const PROVIDER_PREFIX: Readonly<Record<Exclude<Provider, 'aws'>, string>> = {
  'ibm-code-engine': 'ibm',
  digitalocean: 'do',
};

/** Lambda gives at most 6 vCPUs (at 10,240 MB). */
const MAX_LAMBDA_VCPUS = 6;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const KEY = /^[A-Za-z0-9._-]{1,48}$/;

const cpuSchema = z.strictObject({
  model: z.string().min(1, 'must be the CPU model string an instance reads from /proc/cpuinfo'),
});

const shareSchema = z.number().min(0, 'a share must be between 0 and 1').max(1, 'a share must be between 0 and 1');

const LAMBDA_MEMORY_TEXT = `Lambda memory is ${LAMBDA_MEMORY_MB.min}..${LAMBDA_MEMORY_MB.max} MB`;

const memorySchema = z
  .number()
  .int('must be a whole number of MB')
  .min(LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_TEXT)
  .max(LAMBDA_MEMORY_MB.max, LAMBDA_MEMORY_TEXT);

const multiplierSchema = z.number().positive('a runtime multiplier must be positive').max(100, 'must be ≤ 100');

/** Project extension: the zone's arm64 (Graviton) fleet, its own hosts beside the x86_64 ones. */
const arm64FleetSchema = z.strictObject({
  hosts: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000, 'must be at most 100000'),
  mix: z.array(z.record(z.string(), z.number().min(0).max(1))).min(1, 'needs at least one day'),
});

const zoneSchema = z.strictObject({
  azId: z
    .string()
    .min(1, 'must be an AWS AZ ID such as usw1-az1, or <provider prefix>-<region> (ibm-us-south, do-nyc3)'),
  name: z
    .string()
    .regex(ZONE_NAME, 'must be 1..64 letters, digits, dot, dash or underscore (e.g. us-west-1b)')
    .optional(),
  provider: z.enum(PROVIDERS, { message: `must be one of ${PROVIDERS.join(', ')}` }).default('aws'),
  region: z.string().min(1, 'must be a region code such as us-west-1'),
  hosts: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000, 'must be at most 100000'),
  slotsPerHost: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000'),
  /**
   * Project extension: memory of one host for instances, MB; a host holds instances while their memory fits
   * and their number is at most `slotsPerHost` (see EmulatedZone). @default DEFAULT_HOST_MEMORY_MB (384 GiB)
   */
  hostMemoryMb: z
    .number()
    .int('must be a whole number of MB')
    .min(LAMBDA_MEMORY_MB.max, `must hold one instance of Lambda's largest size (${LAMBDA_MEMORY_MB.max} MB)`)
    .max(16 * 1024 * 1024, 'must be at most 16777216 (16 TiB)')
    .optional(),
  mix: z.array(z.record(z.string(), shareSchema)).min(1, 'needs at least one day'),
  /** Share of hosts one function's cold starts prefer (see EmulatedZoneOptions.placementSpread). */
  placementSpread: z
    .number()
    .gt(0, 'must be more than 0 (a share of the hosts)')
    .max(1, 'must be at most 1 (all hosts)')
    .optional(),
  /** Project extension: the zone's arm64 fleet (Graviton), priced as arm64. */
  arm64: arm64FleetSchema.optional(),
});

const workloadSchema = z.strictObject({
  memoryMb: memorySchema,
  baseMs: z.number().positive('must be a positive runtime in ms').max(900_000, 'Lambda runs at most 900000 ms'),
  cv: z.number().min(0, 'must be 0 or more').max(2, 'must be at most 2'),
  vcpus: z
    .number()
    .positive('must be more than 0 (threads the workload can use)')
    .max(MAX_LAMBDA_VCPUS, `Lambda gives at most ${MAX_LAMBDA_VCPUS} vCPUs`)
    .default(1),
  minMemoryMb: memorySchema.default(LAMBDA_MEMORY_MB.min),
  relative: z.record(z.string(), multiplierSchema),
  relativeAtMemory: z.record(z.string(), z.record(z.string(), multiplierSchema)).optional(),
});

const scenarioSchema = z.strictObject({
  name: z.string().regex(NAME, 'must be 1..64 characters of letters, digits, dot, dash or underscore'),
  description: z.string().optional(),
  seed: z
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(2 ** 32 - 1, 'must fit 32 bits'),
  days: z.number().int('must be a whole number').min(1, 'must be at least 1').max(366, 'must be at most 366'),
  baselineZone: z.string().min(1, 'must name one of zones[].azId'),
  pricing: z
    .strictObject({
      /** A new instance's INIT phase is billed like run time (AWS Lambda since 2025-08-01); false: 2024 billing. */
      initBilled: z.boolean({ message: 'must be true or false' }).default(true),
    })
    .default({ initBilled: true }),
  initMs: z.number().min(0, 'must be 0 or more').max(10_000, 'Lambda INIT is limited to 10 s').default(150),
  cpus: z.record(z.string().regex(KEY, 'a CPU key is 1..48 letters, digits, dot, dash or underscore'), cpuSchema),
  zones: z.array(zoneSchema).min(1, 'needs at least one zone'),
  workloads: z.record(
    z.string().regex(KEY, 'a workload name is 1..48 letters, digits, dot, dash or underscore'),
    workloadSchema,
  ),
  burst: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100_000, 'must be at most 100000')
    .default(1000),
  holdMs: z.number().min(0, 'must be 0 or more').max(60_000, 'must be at most 60000').default(DEFAULT_HOLD_MS),
  /** Extension: the noise distribution of runtimes around the mean (default lognormal). */
  noise: z.enum(['lognormal', 'normal']).default('lognormal'),
});

type ParsedScenario = z.output<typeof scenarioSchema>;

/** A CPU type of the scenario with its normalized key, as the sampling will report it. */
export interface ScenarioCpu {
  /** The scenario's short key (`xeon25`). */
  readonly key: string;
  readonly model: string;
  /** `cpuKeyOf(model)`, e.g. `intel-xeon-2.50`: the key characterizations and profiles use. */
  readonly cpuKey: CpuKey;
}

/** A validated scenario, with defaults filled in and CPU keys normalized. */
export interface Scenario extends Omit<ParsedScenario, 'cpus'> {
  readonly cpus: Readonly<Record<string, { readonly model: string }>>;
  /** The declared CPUs in declaration order, with their normalized keys. */
  readonly cpuList: readonly ScenarioCpu[];
}

export type ScenarioZone = Scenario['zones'][number];
export type ScenarioWorkload = Scenario['workloads'][string];

/** How a zone is shown wherever it appears: its AZ ID, with its name beside it when the scenario gives one (`usw1-az3 (us-west-1b)`). */
export function zoneLabel(scenario: Pick<Scenario, 'zones'>, azId: string): string {
  const name = scenario.zones.find((z) => z.azId === azId)?.name;
  return name ? `${azId} (${name})` : azId;
}

/** The mix of day `day` (days past the end of the list repeat the last one). */
export function mixOfDay(zone: ScenarioZone, day: number): Readonly<Record<string, number>> {
  return zone.mix[Math.min(day, zone.mix.length - 1)];
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** An AWS zone: an AZ ID of a region the catalog knows, and a name in that region. */
function awsZoneIssues(zone: ParsedScenario['zones'][number], z: number): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  if (!AZ_ID.test(zone.azId)) {
    issues.push({
      path: `zones[${z}].azId`,
      message: 'must be an AZ ID such as usw1-az1 (zones are keyed by AZ ID, not AZ name)',
    });
  }
  if (!REGION.test(zone.region)) {
    issues.push({ path: `zones[${z}].region`, message: 'must be a region code such as us-west-1' });
    return issues;
  }
  const info = regionInfo(zone.region);
  if (!info) {
    issues.push({
      path: `zones[${z}].region`,
      message: `"${zone.region}" is not a Lambda region the catalog knows (${REGION_CODES.length} known, e.g. us-west-1)`,
    });
  } else if (AZ_ID.test(zone.azId) && info.azIds.length > 0 && !info.azIds.includes(zone.azId)) {
    issues.push({
      path: `zones[${z}].azId`,
      message: `"${zone.azId}" is not an AZ ID of ${zone.region} (${info.azIds.join(', ')})`,
    });
  }
  if (zone.name !== undefined && !new RegExp(`^${zone.region}[a-z]$`).test(zone.name)) {
    issues.push({
      path: `zones[${z}].name`,
      message: `"${zone.name}" is not an AZ name of ${zone.region} (such as ${zone.region}a)`,
    });
  }
  return issues;
}

/** A zone of another provider: `<prefix>-<region>`. */
function providerZoneIssues(zone: ParsedScenario['zones'][number], z: number): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const provider = zone.provider as Exclude<Provider, 'aws'>;
  const prefix = PROVIDER_PREFIX[provider];
  const regions = CATALOG_PROVIDERS[provider].regions.map((r) => r.code);
  if (!OTHER_REGION.test(zone.region)) {
    issues.push({ path: `zones[${z}].region`, message: `must be a ${provider} region code such as us-south or nyc3` });
  } else if (!regions.includes(zone.region)) {
    // Its prices and location come from the catalog: a region it does not list has neither.
    issues.push({ path: `zones[${z}].region`, message: `must be a ${provider} region: ${regions.join(', ')}` });
  } else if (zone.azId !== `${prefix}-${zone.region}` || !PROVIDER_ZONE.test(zone.azId)) {
    issues.push({
      path: `zones[${z}].azId`,
      message: `a ${provider} zone is keyed "${prefix}-<region>": "${prefix}-${zone.region}"`,
    });
  }
  if (zone.arm64) {
    issues.push({ path: `zones[${z}].arm64`, message: `${provider} has no arm64 fleet; only AWS zones take one` });
  }
  return issues;
}

/** Rules that span fields, each with the path of the field at fault. */
function crossFieldIssues(s: ParsedScenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const cpuKeys = Object.keys(s.cpus);
  const declared = new Set(cpuKeys);
  const allowed = cpuKeys.join(', ');
  if (cpuKeys.length === 0) issues.push({ path: 'cpus', message: 'must declare at least one CPU type' });
  const byNormalized = new Map<string, string>();
  for (const key of cpuKeys) {
    const normalized = cpuKeyOf(s.cpus[key].model);
    const other = byNormalized.get(normalized);
    if (other !== undefined) {
      issues.push({
        path: `cpus.${key}.model`,
        message: `"${s.cpus[key].model}" reads as the same CPU (${normalized}) as cpus.${other}; an instance could not tell them apart`,
      });
    } else byNormalized.set(normalized, key);
  }
  const azIds = new Set<string>();
  const names = new Map<string, number>();
  s.zones.forEach((zone, z) => {
    if (azIds.has(zone.azId)) issues.push({ path: `zones[${z}].azId`, message: `"${zone.azId}" appears twice` });
    azIds.add(zone.azId);
    if (zone.name !== undefined) {
      const other = names.get(zone.name);
      if (other !== undefined) {
        issues.push({ path: `zones[${z}].name`, message: `"${zone.name}" is also the name of zones[${other}]` });
      } else names.set(zone.name, z);
    }
    if (zone.provider === 'aws') issues.push(...awsZoneIssues(zone, z));
    else issues.push(...providerZoneIssues(zone, z));
    zone.mix.forEach((day, d) => {
      let sum = 0;
      for (const [cpu, share] of Object.entries(day)) {
        if (!declared.has(cpu)) {
          issues.push({ path: `zones[${z}].mix[${d}].${cpu}`, message: `"${cpu}" is not a declared CPU (${allowed})` });
        } else if (archOfCpu(cpuKeyOf(s.cpus[cpu].model)) === 'arm64') {
          // The zone's mix is its x86_64 fleet: an arm64 host there would never meet its functions or its sampling.
          issues.push({
            path: `zones[${z}].mix[${d}].${cpu}`,
            message: `"${cpu}" is an arm64 CPU; put it in zones[${z}].arm64.mix`,
          });
        }
        sum += share;
      }
      if (Math.abs(sum - 1) > MIX_SUM_TOLERANCE) {
        issues.push({
          path: `zones[${z}].mix[${d}]`,
          message: `shares sum to ${Number(sum.toFixed(6))}; they must sum to 1 within ${MIX_SUM_TOLERANCE}`,
        });
      }
    });
    zone.arm64?.mix.forEach((day, d) => {
      let sum = 0;
      for (const [cpu, share] of Object.entries(day)) {
        const path = `zones[${z}].arm64.mix[${d}].${cpu}`;
        if (!declared.has(cpu)) issues.push({ path, message: `"${cpu}" is not a declared CPU (${allowed})` });
        else if (archOfCpu(cpuKeyOf(s.cpus[cpu].model)) !== 'arm64') {
          issues.push({ path, message: `"${cpu}" is not an arm64 CPU (its model must read as Graviton)` });
        }
        sum += share;
      }
      if (Math.abs(sum - 1) > MIX_SUM_TOLERANCE) {
        issues.push({
          path: `zones[${z}].arm64.mix[${d}]`,
          message: `shares sum to ${Number(sum.toFixed(6))}; they must sum to 1 within ${MIX_SUM_TOLERANCE}`,
        });
      }
    });
  });
  if (!azIds.has(s.baselineZone)) {
    issues.push({
      path: 'baselineZone',
      message: `"${s.baselineZone}" is not one of the zones (${[...azIds].join(', ')})`,
    });
  }
  // The fixed strategies run every workload at its memoryMb in the fixed zone: its provider must offer that size.
  const baseline = s.zones.find((zone) => zone.azId === s.baselineZone);
  const baselineProvider = baseline && baseline.provider !== 'aws' ? CATALOG_PROVIDERS[baseline.provider] : undefined;
  const workloadNames = Object.keys(s.workloads);
  if (workloadNames.length === 0) issues.push({ path: 'workloads', message: 'must declare at least one workload' });
  for (const name of workloadNames) {
    const w = s.workloads[name];
    for (const cpu of Object.keys(w.relative)) {
      if (!declared.has(cpu)) {
        issues.push({
          path: `workloads.${name}.relative.${cpu}`,
          message: `"${cpu}" is not a declared CPU (${allowed})`,
        });
      }
    }
    if (baselineProvider && !baselineProvider.memorySizes.includes(w.memoryMb)) {
      issues.push({
        path: `workloads.${name}.memoryMb`,
        message: `${w.memoryMb} MB is not a memory size of the fixed zone ${s.baselineZone} (${baselineProvider.provider} offers ${baselineProvider.memorySizes.join(', ')} MB)`,
      });
    }
    if (w.memoryMb < w.minMemoryMb) {
      issues.push({
        path: `workloads.${name}.memoryMb`,
        message: `${w.memoryMb} MB is below the workload's minMemoryMb ${w.minMemoryMb}`,
      });
    }
    for (const [memory, multipliers] of Object.entries(w.relativeAtMemory ?? {})) {
      const mb = Number(memory);
      if (!MEMORY_KEY.test(memory) || !(mb >= 128 && mb <= 10240)) {
        issues.push({
          path: `workloads.${name}.relativeAtMemory.${memory}`,
          message: `${memory} is not a Lambda memory size (128..10240 MB)`,
        });
      }
      for (const cpu of Object.keys(multipliers)) {
        if (!declared.has(cpu)) {
          issues.push({
            path: `workloads.${name}.relativeAtMemory.${memory}.${cpu}`,
            message: `"${cpu}" is not a declared CPU (${allowed})`,
          });
        }
      }
    }
  }
  return issues;
}

/**
 * Validates a parsed JSON value as a scenario.
 * @param source a name for messages (the file path, or `inline`)
 * @throws ScenarioError naming every field at fault and why; nothing is returned then.
 * @example
 * const scenario = parseScenario(JSON.parse(text), 'scenarios/paper-ex5.json');
 */
export function parseScenario(value: unknown, source = 'inline'): Scenario {
  const unsafe = unsafeKeyIssues(value);
  if (unsafe.length > 0) throw new ScenarioError(source, unsafe);
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) {
    throw new ScenarioError(
      source,
      parsed.error.issues.map((issue) => ({
        path: pathOf(issue.path),
        // A record key's own check says what a key must be; zod reports only that the key is invalid.
        message: issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message,
      })),
    );
  }
  const issues = crossFieldIssues(parsed.data);
  if (issues.length > 0) throw new ScenarioError(source, issues);
  const cpuList = Object.entries(parsed.data.cpus).map(([key, cpu]) => ({
    key,
    model: cpu.model,
    cpuKey: cpuKeyOf(cpu.model),
  }));
  const scenario = { ...parsed.data, cpuList };
  const timeouts = timeoutIssues(scenario);
  if (timeouts.length > 0) throw new ScenarioError(source, timeouts);
  return scenario;
}

/**
 * A workload the fixed strategies could not run within the dynamic functions' timeout: at its `memoryMb`, its mean
 * runtime on its slowest CPU, with the spread the scenarios are sized to (`fitsScenarioTimeout`), passes it.
 */
function timeoutIssues(scenario: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  for (const [name, workload] of Object.entries(scenario.workloads)) {
    const runtimes = scenario.cpuList.map((cpu) => ({ cpu, ms: modelRuntimeMs(scenario, workload, cpu.cpuKey) }));
    const slowest = runtimes.reduce((a, b) => (b.ms > a.ms ? b : a));
    if (fitsScenarioTimeout(slowest.ms, DYNAMIC_TIMEOUT_MS, workload.cv)) continue;
    const headroom = scenarioHeadroom(workload.cv);
    issues.push({
      path: `workloads.${name}.baseMs`,
      message:
        `${workload.baseMs} ms runs ${Math.round(slowest.ms)} ms on its slowest CPU (${slowest.cpu.key}) at memoryMb ` +
        `${workload.memoryMb}, ${Math.round(slowest.ms * headroom)} ms with ${SCENARIO_FIT_SIGMAS} × its cv of spread ` +
        `(× ${headroom.toFixed(2)}): past the dynamic functions' ${DYNAMIC_TIMEOUT_MS} ms timeout`,
    });
  }
  return issues;
}

/**
 * Reads and validates a scenario file.
 * @throws ScenarioError when the file is missing, is not JSON, or breaks the format.
 */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(path, [{ path: '', message: `cannot read the file: ${(error as Error).message}` }]);
  }
  let value: unknown;
  try {
    // Editors on some systems start UTF-8 files with a byte-order mark, which JSON does not allow.
    value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    throw new ScenarioError(path, [{ path: '', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  return parseScenario(value, path);
}

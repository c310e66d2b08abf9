import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { REGION_CODES, regionInfo } from '../catalog';
import { DEFAULT_HOLD_MS, LAMBDA_MEMORY_MB } from '../contracts';
import { cpuKeyOf } from '../core/cpu';
import type { CpuKey } from '../core/types';
import { ScenarioError, type ScenarioIssue } from './errors';

/**
 * The twin's scenario format (see the scenario spec in the project docs): zones whose host CPU
 * mix changes day by day, and workloads whose runtime depends on the CPU. Parsing is strict: an
 * unknown field is refused as a likely typo, and every rule names the field it checks.
 */

/** Shares of one day's mix must sum to 1 within this tolerance. */
export const MIX_SUM_TOLERANCE = 0.001;

const AZ_ID = /^[a-z]{2,5}\d-az\d+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const KEY = /^[A-Za-z0-9._-]{1,48}$/;

const cpuSchema = z.strictObject({
  model: z.string().min(1, 'must be the CPU model string an instance reads from /proc/cpuinfo'),
});

const shareSchema = z.number().min(0, 'a share must be between 0 and 1').max(1, 'a share must be between 0 and 1');

const zoneSchema = z.strictObject({
  azId: z.string().regex(AZ_ID, 'must be an AZ ID such as usw1-az1 (zones are keyed by AZ ID, not AZ name)'),
  region: z.string().regex(REGION, 'must be a region code such as us-west-1'),
  hosts: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000, 'must be at most 100000'),
  slotsPerHost: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000'),
  mix: z.array(z.record(z.string(), shareSchema)).min(1, 'needs at least one day'),
  /** Extension: share of hosts one function's cold starts prefer (see EmulatedZoneOptions.placementSpread). */
  placementSpread: z
    .number()
    .gt(0, 'must be more than 0 (a share of the hosts)')
    .max(1, 'must be at most 1 (all hosts)')
    .optional(),
});

const LAMBDA_MEMORY_TEXT = `Lambda memory is ${LAMBDA_MEMORY_MB.min}..${LAMBDA_MEMORY_MB.max} MB`;

const workloadSchema = z.strictObject({
  memoryMb: z
    .number()
    .int('must be a whole number of MB')
    .min(LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_TEXT)
    .max(LAMBDA_MEMORY_MB.max, LAMBDA_MEMORY_TEXT),
  baseMs: z.number().positive('must be a positive runtime in ms').max(900_000, 'Lambda runs at most 900000 ms'),
  cv: z.number().min(0, 'must be 0 or more').max(2, 'must be at most 2'),
  relative: z.record(
    z.string(),
    z.number().positive('a runtime multiplier must be positive').max(100, 'must be ≤ 100'),
  ),
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
  s.zones.forEach((zone, z) => {
    if (azIds.has(zone.azId)) issues.push({ path: `zones[${z}].azId`, message: `"${zone.azId}" appears twice` });
    azIds.add(zone.azId);
    const info = regionInfo(zone.region);
    if (!info) {
      issues.push({
        path: `zones[${z}].region`,
        message: `"${zone.region}" is not a Lambda region the catalog knows (${REGION_CODES.length} known, e.g. us-west-1)`,
      });
    } else if (info.azIds.length > 0 && !info.azIds.includes(zone.azId)) {
      issues.push({
        path: `zones[${z}].azId`,
        message: `"${zone.azId}" is not an AZ ID of ${zone.region} (${info.azIds.join(', ')})`,
      });
    }
    zone.mix.forEach((day, d) => {
      let sum = 0;
      for (const [cpu, share] of Object.entries(day)) {
        if (!declared.has(cpu)) {
          issues.push({ path: `zones[${z}].mix[${d}].${cpu}`, message: `"${cpu}" is not a declared CPU (${allowed})` });
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
  });
  if (!azIds.has(s.baselineZone)) {
    issues.push({
      path: 'baselineZone',
      message: `"${s.baselineZone}" is not one of the zones (${[...azIds].join(', ')})`,
    });
  }
  const workloadNames = Object.keys(s.workloads);
  if (workloadNames.length === 0) issues.push({ path: 'workloads', message: 'must declare at least one workload' });
  for (const name of workloadNames) {
    for (const cpu of Object.keys(s.workloads[name].relative)) {
      if (!declared.has(cpu)) {
        issues.push({
          path: `workloads.${name}.relative.${cpu}`,
          message: `"${cpu}" is not a declared CPU (${allowed})`,
        });
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
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) {
    throw new ScenarioError(
      source,
      parsed.error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message })),
    );
  }
  const issues = crossFieldIssues(parsed.data);
  if (issues.length > 0) throw new ScenarioError(source, issues);
  const cpuList = Object.entries(parsed.data.cpus).map(([key, cpu]) => ({
    key,
    model: cpu.model,
    cpuKey: cpuKeyOf(cpu.model),
  }));
  return { ...parsed.data, cpuList };
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
    value = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(path, [{ path: '', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  return parseScenario(value, path);
}

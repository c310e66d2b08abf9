import { AZ_IDS, REGION_CODES, regionOfAzId } from '../catalog';
import {
  effectiveMaxPolls,
  LAMBDA_MEMORY_MB,
  reachableInstances,
  SAMPLING_DEFAULTS,
  samplersPerPollOf,
  topSamplerMemoryMb,
} from '../contracts';
import { parseExternalZones } from '../providers/config';
import type { ConfigProblem } from './errors';
import type { SkyConfig } from './sky-config';
import { closestMatch } from './suggest';

const regionHint = (region: string): string | undefined => {
  const close = closestMatch(region, REGION_CODES);
  return close ? `did you mean "${close}"?` : undefined;
};

/**
 * Checks that need the catalog or more than one key: regions and the home region exist, zones are AZ IDs
 * of the selected regions, the sampler memory range stays within Lambda's maximum, a run can see the instances a
 * characterization needs, and samplers on other providers sleep at least what their provider bills a call.
 * Only keys that passed their own rule are checked (`valid` says which).
 */
export function catalogProblems(config: SkyConfig, valid: ReadonlySet<keyof SkyConfig>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const allRegions = `"all" or regions of the catalog: ${REGION_CODES.join(', ')}`;

  if (valid.has('regions') && config.regions !== 'all') {
    for (const region of config.regions) {
      if (!REGION_CODES.includes(region)) {
        problems.push({ key: 'regions', value: region, allowed: allRegions, hint: regionHint(region) });
      }
    }
  }

  if (valid.has('homeRegion') && !REGION_CODES.includes(config.homeRegion)) {
    problems.push({
      key: 'homeRegion',
      value: config.homeRegion,
      allowed: `a region of the catalog: ${REGION_CODES.join(', ')}`,
      hint: regionHint(config.homeRegion),
    });
  }

  if (valid.has('zones') && config.zones && valid.has('regions')) {
    const selected = config.regions === 'all' ? undefined : new Set(config.regions);
    const selectedZones = selected ? AZ_IDS.filter((azId) => selected.has(regionOfAzId(azId) ?? '')) : AZ_IDS;
    const allowed = `AZ IDs of the selected regions, e.g. ${selectedZones.slice(0, 6).join(', ')}`;
    for (const azId of config.zones) {
      const region = regionOfAzId(azId);
      if (region === undefined) {
        const close = closestMatch(azId, selectedZones);
        problems.push({
          key: 'zones',
          value: azId,
          allowed,
          hint: close ? `not in the catalog; did you mean "${close}"?` : 'not in the catalog',
        });
      } else if (selected && !selected.has(region)) {
        problems.push({ key: 'zones', value: azId, allowed, hint: `it is in ${region}, which is not in regions` });
      }
    }
  }

  if (valid.has('sampledArchitectures') && valid.has('architectures') && config.sampledArchitectures) {
    for (const arch of config.sampledArchitectures) {
      if (config.architectures.includes(arch)) continue;
      problems.push({
        key: 'sampledArchitectures',
        value: arch,
        allowed: `architectures of the dynamic functions (${config.architectures.join(', ')})`,
        hint: `no dynamic function runs on ${arch}, so nothing could use its characterization; add it to architectures or drop it here`,
      });
    }
  }

  if (valid.has('samplerMemoryMb') && valid.has('samplersPerZone')) {
    const last = topSamplerMemoryMb(config);
    if (last > LAMBDA_MEMORY_MB.max) {
      problems.push({
        key: 'samplerMemoryMb',
        value: config.samplerMemoryMb,
        allowed: `at most ${LAMBDA_MEMORY_MB.max - config.samplersPerZone + 1} with samplersPerZone ${config.samplersPerZone}`,
        hint: `sampler ${config.samplersPerZone - 1} would get ${last} MB; Lambda allows at most ${LAMBDA_MEMORY_MB.max} MB`,
      });
    }
  }

  const pollKeys = ['pollConcurrency', 'maxPolls', 'samplersPerZone', 'samplersPerPoll'] as const;
  if (pollKeys.every((key) => valid.has(key))) {
    // Every sampled fleet: the AWS zones' samplers, and each zone on another provider that lists its own.
    const fleets = [
      { where: 'each AWS zone', samplersPerZone: config.samplersPerZone, pollConcurrency: config.pollConcurrency },
      ...(valid.has('endpoints') ? parseExternalZones(config.endpoints, 'endpoints') : [])
        .filter((zone) => zone.samplers.length > 0)
        .map((zone) => ({
          where: `${zone.azId}'s ${zone.samplers.length} sampler${zone.samplers.length === 1 ? '' : 's'}`,
          samplersPerZone: zone.samplers.length,
          pollConcurrency: Math.min(
            config.pollConcurrency,
            zone.sampling.maxPollConcurrency ?? Number.POSITIVE_INFINITY,
          ),
        })),
    ];
    const needed = SAMPLING_DEFAULTS.minInstancesForCharacterization;
    for (const fleet of fleets) {
      const settings = { ...config, ...fleet };
      const reachable = reachableInstances(settings);
      if (reachable >= needed) continue;
      const polls = effectiveMaxPolls(settings);
      const endpointPolls = Math.floor(fleet.samplersPerZone / samplersPerPollOf(settings));
      problems.push({
        key: 'pollConcurrency',
        value: config.pollConcurrency,
        allowed: `at least ${Math.ceil(needed / polls)} with ${polls} poll${polls === 1 ? '' : 's'} a run for ${fleet.where} (maxPolls ${config.maxPolls}, and samplersPerZone / samplersPerPoll ${endpointPolls})`,
        hint: `a run sees at most ${reachable} instances, fewer than the ${needed} its characterization needs to replace the zone's last one`,
      });
    }
  }

  if (valid.has('samplerSleepMs') && valid.has('endpoints')) {
    // A sampler that sleeps less than its provider bills would be priced below its bill: refused here, naming the key,
    // rather than when its stack is built.
    for (const zone of parseExternalZones(config.endpoints, 'endpoints')) {
      const minBilledMs = zone.facts.minBilledMs ?? 0;
      if (zone.samplers.length === 0 || config.samplerSleepMs >= minBilledMs) continue;
      problems.push({
        key: 'samplerSleepMs',
        value: config.samplerSleepMs,
        allowed: `at least ${minBilledMs} ms while ${zone.azId} is sampled (${zone.provider} bills each call at least that)`,
      });
    }
  }

  return problems;
}

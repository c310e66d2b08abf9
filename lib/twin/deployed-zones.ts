import { PROVIDERS } from '../catalog/providers';
import type { DeployedZone } from '../core/types';
import type { ScenarioZone } from './scenario';

/**
 * A scenario zone as the router sees it deployed: an AWS zone has every configuration of the run; an
 * IBM Code Engine or DigitalOcean zone only the memory sizes and architectures its provider offers
 * (the catalog's: 1, 2 and 4 GB on Code Engine, 128 MB to 1 GB on DigitalOcean, x86_64 on both).
 */
export function deployedZoneOf(zone: Pick<ScenarioZone, 'azId' | 'region' | 'provider'>): DeployedZone {
  if (zone.provider === undefined || zone.provider === 'aws') return { azId: zone.azId, region: zone.region };
  const info = PROVIDERS[zone.provider];
  return { azId: zone.azId, region: zone.region, memorySizes: info.memorySizes, architectures: info.architectures };
}

import { VirtualClock } from '../../lib/twin/clock';
import { defaultHandlerKit } from '../../lib/twin/handlers';
import { Twin } from '../../lib/twin/twin';
import { smallScenario } from './fixtures';

const START = Date.UTC(2024, 4, 1);
const AZ = 'usw1-az3';
const FUNCTION = `sky-${AZ}-x86_64-2048`;

/** Where 40 concurrent new instances of one function land: the host of each, in order. */
function landings(twin: Twin): number[] {
  const zone = twin.zones.get(AZ)!;
  return Array.from({ length: 40 }, () => {
    const got = zone.acquire(FUNCTION, 'x86_64', 2048);
    if (!got.ok) throw new Error('no capacity');
    return got.instance.host.index;
  });
}

describe('a fresh pool of the day (Twin.setDay)', () => {
  const twin = new Twin({ scenario: smallScenario(), clock: new VirtualClock(START), kit: defaultHandlerKit() });

  it('drops every live instance, so the next call starts a new one', () => {
    twin.setDay(0, 'zipper');
    const zone = twin.zones.get(AZ)!;
    const first = zone.acquire(FUNCTION, 'x86_64', 2048);
    if (!first.ok) throw new Error('no capacity');
    zone.release(first.instance);
    expect(zone.liveInstances(FUNCTION)).toBe(1);
    twin.setDay(0, 'zipper');
    expect(zone.liveInstances(FUNCTION)).toBe(0);
    const next = zone.acquire(FUNCTION, 'x86_64', 2048);
    expect(next.ok && next.cold).toBe(true);
  });

  it('repeats the same draw for the same name, and another for another name or none', () => {
    twin.setDay(0, 'zipper');
    const zipper = landings(twin);
    twin.setDay(0, 'zipper');
    expect(landings(twin)).toEqual(zipper);
    twin.setDay(0, 'pagerank');
    expect(landings(twin)).not.toEqual(zipper);
    twin.setDay(0);
    const plain = landings(twin);
    expect(plain).not.toEqual(zipper);
    twin.setDay(0);
    expect(landings(twin)).toEqual(plain);
  });

  it('keeps the same fleet for every draw of a day: the same hosts, boot times and all', () => {
    const hostsOf = () => twin.zones.get(AZ)!.hosts.map((h) => `${h.cpu.cpuKey}@${h.bootTime}`);
    twin.setDay(0);
    const fleet = hostsOf();
    twin.setDay(0, 'zipper');
    expect(hostsOf()).toEqual(fleet);
    twin.setDay(1, 'zipper');
    expect(hostsOf()).not.toEqual(fleet);
  });
});

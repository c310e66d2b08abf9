import { expectedRejectModeCost } from '../../lib/core/reject-mode';
import { VirtualClock } from '../../lib/twin/clock';
import { rngFor } from '../../lib/twin/random';
import type { ScenarioCpu } from '../../lib/twin/scenario';
import { EmulatedZone, hostCounts, type Instance } from '../../lib/twin/zone';

/**
 * The core's retry-repeat chain (`PoolContext.retryRepeat`, `attemptChain`) against the twin's own packing: a burst of
 * lone calls on one function of an `EmulatedZone`, every rejected instance ended, its call retried at once. The zone
 * fills the function's open host up to its share (12 GiB) before opening another preferred host, so once a burst has
 * filled its preferred hosts the only room left in its share is the slots its rejected instances freed: retries land
 * on the rejected CPUs' hosts far more often than the mix would send them there, and rarely on the very host they left.
 * The chain needs only that excess, measured as the twin (or a router) sees it, from the retries' own outcomes:
 * ρ = (P(a retry meets a rejected CPU) − q)/(1 − q). With it the model's rejects per call are within 25% of what the
 * twin realises; with ρ = 0 (independent draws) it misses by up to 4×.
 */

const CPUS: readonly ScenarioCpu[] = [
  { key: 'x30', model: 'Intel(R) Xeon(R) Processor @ 3.00GHz', cpuKey: 'intel-xeon-3.00' },
  { key: 'x25', model: 'Intel(R) Xeon(R) Processor @ 2.50GHz', cpuKey: 'intel-xeon-2.50' },
  { key: 'x29', model: 'Intel(R) Xeon(R) Processor @ 2.90GHz', cpuKey: 'intel-xeon-2.90' },
];
/** stress-saturate's fixed zone: 100 hosts of 60 slots, half of them preferred by each function. */
const MIX = [0.1, 0.6, 0.3];
const MAX_ATTEMPTS = 10;

interface Realised {
  /** Rejected attempts per call. */
  rejects: number;
  /** Share of retries whose new instance ran on the host the rejected one ran on. */
  sameHost: number;
  /** Share of retries that met a CPU the reject set refuses. */
  retriesRejected: number;
}

/** `bursts` bursts of `burst` concurrent calls at `memoryMb`, each on a new day's fleet: the rounds as the twin runs them. */
function packedBursts(reject: readonly boolean[], memoryMb: number, burst: number, bursts: number): Realised {
  const counts = hostCounts({ x30: MIX[0], x25: MIX[1], x29: MIX[2] }, ['x30', 'x25', 'x29'], 100);
  const fleet = CPUS.flatMap((cpu) => Array.from({ length: counts.get(cpu.key) ?? 0 }, () => cpu));
  const cpuOf = (instance: Instance): number => CPUS.findIndex((cpu) => cpu.cpuKey === instance.host.cpu.cpuKey);
  let rejects = 0;
  let retries = 0;
  let sameHost = 0;
  let retriesRejected = 0;
  for (let b = 0; b < bursts; b++) {
    const zone = new EmulatedZone({
      azId: 'usw1-az3',
      region: 'us-west-1',
      slotsPerHost: 60,
      clock: new VirtualClock(0),
      rng: rngFor(5, 'packing', b),
      placementSpread: 0.5,
    });
    zone.configure(fleet, rngFor(5, 'fleet', b), 0);
    let pending = Array.from({ length: burst }, () => ({ attempts: 0, left: undefined as Instance | undefined }));
    while (pending.length > 0) {
      // Every waiting call sends its attempt; then the rejected ones answer and end their instances.
      const met = pending.map((call) => {
        const got = zone.acquire('sky-usw1-az3-x86_64-2048', 'x86_64', memoryMb);
        if (!got.ok) throw new Error('the zone ran out of slots');
        call.attempts++;
        if (call.left) {
          retries++;
          if (got.instance.host === call.left.host) sameHost++;
          if (reject[cpuOf(got.instance)]) retriesRejected++;
        }
        return { call, instance: got.instance };
      });
      pending = [];
      for (const { call, instance } of met) {
        if (call.attempts >= MAX_ATTEMPTS || !reject[cpuOf(instance)]) continue;
        rejects++;
        zone.end(instance);
        call.left = instance;
        pending.push(call);
      }
    }
  }
  return {
    rejects: rejects / (burst * bursts),
    sameHost: sameHost / retries,
    retriesRejected: retriesRejected / retries,
  };
}

/** The core's expected rejects per call of a lone `end` call with retry repeat `rho`. */
function modelRejects(reject: readonly boolean[], memoryMb: number, rho: number): number {
  return (
    expectedRejectModeCost({
      shares: MIX,
      runtimesMs: [3400, 4000, 4800],
      reject,
      holdMs: 0,
      maxAttempts: MAX_ATTEMPTS,
      memoryMb,
      price: { pricePerGbSecond: 0.0000166667, pricePerRequest: 0.0000002 },
      initBilledMs: 150,
      mode: 'end',
      retryRepeat: rho,
    }).attempts - 1
  );
}

describe("retry repeats under the twin's packing", () => {
  it.each<[string, number, number, boolean[]]>([
    ['the 2.9 GHz Xeon', 2048, 300, [false, false, true]],
    ['the 2.9 GHz Xeon', 2048, 1000, [false, false, true]],
    ['the 2.9 GHz Xeon', 3538, 1000, [false, false, true]],
    ['both slower Xeons', 2048, 1000, [false, true, true]],
  ])(
    'rejecting %s at %d MB in bursts of %d: the chain with the measured ρ is within 25%% of the twin',
    (_name, memoryMb, burst, reject) => {
      const realised = packedBursts(reject, memoryMb, burst, 10);
      const q = MIX.reduce((sum, p, j) => (reject[j] ? sum + p : sum), 0);
      const rho = Math.max(0, (realised.retriesRejected - q) / (1 - q));
      const model = modelRejects(reject, memoryMb, rho);
      const independent = modelRejects(reject, memoryMb, 0);
      expect(Math.abs(model / realised.rejects - 1)).toBeLessThan(0.25);
      // Independent draws miss by far more: retries meet the rejected CPUs again.
      expect(Math.abs(model - realised.rejects)).toBeLessThan(Math.abs(independent - realised.rejects) / 2);
      expect(rho).toBeGreaterThan(0.3);
      // The repeats are not the host the retry left: the slots other rejected instances freed.
      expect(realised.sameHost).toBeLessThan(0.1);
      expect(Math.abs(modelRejects(reject, memoryMb, realised.sameHost) - independent)).toBeLessThan(0.1);
    },
  );
});

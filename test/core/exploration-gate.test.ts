import type { ExplorationGate } from '../../lib/core/exploration';
import { Router } from '../../lib/core/router';
import type { PlacementRequest, RoutingView } from '../../lib/core/types';
import { characterization, EPYC, paperView, profile, X25, X29, X30 } from './fixtures';

// A router that shares exploration with other instances (`Router.shareExploration`): a unit another instance
// explores is placed as if one of this router's calls explored it.

const ZONE = 'usw1-az3';
const request: PlacementRequest = {
  workload: 'disk',
  objective: 'cost',
  strategy: 'optimal',
  limits: { zones: [ZONE], architectures: ['x86_64'], memorySizes: [128] },
};

// The disk-bound workload ran 100 times on each Xeon and never on EPYC, which its prior rejects.
function view(): RoutingView {
  const disk = profile('disk', 7200, { [X25]: 1, [X30]: 0.95, [X29]: 1.1 }, 128);
  return paperView({
    zones: [characterization(ZONE, 'us-west-1', { [X25]: 400, [X30]: 300, [X29]: 100, [EPYC]: 200 })],
    deployed: [{ azId: ZONE, region: 'us-west-1' }],
    profiles: {
      disk: { workload: 'disk', entries: disk.entries.map((e) => ({ ...e, stats: { ...e.stats, count: 100 } })) },
    },
  });
}

/** A gate over a set of units held elsewhere, by `workload|functionName|cpu`. */
function gateOver(held: Set<string>): ExplorationGate & { bump(): void } {
  let version = 0;
  return {
    mayExplore: (workload, functionName, cpu) => !held.has(`${workload}|${functionName}|${cpu}`),
    get version() {
      return version;
    },
    bump() {
      version++;
    },
  };
}

describe('Router.shareExploration', () => {
  it('does not explore a unit another router instance holds, and explores it once that one lets go', () => {
    const router = new Router(view());
    const unit = `disk|sky-${ZONE}-x86_64-128|${EPYC}`;
    const held = new Set([unit]);
    const gate = gateOver(held);
    router.shareExploration(gate);
    const taken = router.place(request);
    expect(taken.explores).toBeUndefined();
    expect(taken.rejectCpus).toContain(EPYC);
    // The placement made while it was held is cached; the gate's new version drops it.
    held.delete(unit);
    expect(router.place(request)).toBe(taken);
    gate.bump();
    const free = router.place(request);
    expect(free.explores).toBe(EPYC);
    expect(free.rejectCpus).not.toContain(EPYC);
  });

  it('forgets an exploring placement that is withdrawn (its lease lost), so the unit may be explored once free', () => {
    const router = new Router(view());
    const held = new Set<string>();
    const gate = gateOver(held);
    router.shareExploration(gate);
    const first = router.place(request);
    expect(first.explores).toBe(EPYC);
    // Unfollowed, it would count as a call in flight exploring EPYC: the next placement would not explore it.
    router.withdrawExploration('disk', first);
    const next = router.place(request);
    expect(next.explores).toBe(EPYC);
    // Withdrawing twice, or a placement that explores nothing, changes nothing.
    router.withdrawExploration('disk', first);
    expect(router.place(request).explores).toBeUndefined();
  });

  it('explores as on its own where the gate holds other units only', () => {
    const alone = new Router(view()).place(request);
    const router = new Router(view());
    router.shareExploration(gateOver(new Set([`disk|sky-${ZONE}-x86_64-128|${X29}`, `other|x|${EPYC}`])));
    const shared = router.place(request);
    expect(alone.explores).toBe(EPYC);
    expect(shared.explores).toBe(EPYC);
    expect(shared.rejectCpus).toEqual(alone.rejectCpus);
  });
});

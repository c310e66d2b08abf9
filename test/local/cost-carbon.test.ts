import { costCarbonRows } from '../../lib/local/cost-carbon';
import { characterization, EPYC, profile, X25, X29, X30 } from '../core/fixtures';

// GIVEN zipper profiled at 256 MB, where it costs half what it costs at 2,048 MB (four times as long at an eighth of
// the memory), and at 2,048 MB
const relative = { [X25]: 1, [X30]: 0.88, [X29]: 1.22, [EPYC]: 1.35 };
const small = profile('zipper', 6_000, relative, 256);
const large = profile('zipper', 1_500, relative, 2048);
const zones = [characterization('usw1-az1', 'us-west-1', { [X25]: 550, [X30]: 300, [X29]: 150 })];
const store = {
  latestCharacterizations: async () => zones,
  profiles: async () => ({ zipper: { workload: 'zipper', entries: [...small.entries, ...large.entries] } }),
};
const scope = {
  deployed: [{ azId: 'usw1-az1', region: 'us-west-1' }],
  architectures: ['x86_64' as const],
  memorySizes: [256, 1024, 2048],
};

describe("the local sky's cost-versus-carbon rows", () => {
  it('places a workload where the router may place it: from the memory it runs in, at the sizes it may run at', async () => {
    // WHEN the trade-off is drawn for zipper free to run anywhere, then held to at least 1,024 MB
    const free = await costCarbonRows(store, {
      ...scope,
      workloads: { zipper: { minMemoryMb: 128, memorySizes: [256, 1024, 2048] } },
    });
    const held = await costCarbonRows(store, {
      ...scope,
      workloads: { zipper: { minMemoryMb: 1024, memorySizes: [256, 1024, 2048] } },
    });
    // THEN the free one goes where it is cheapest, and the held one never below its minimum
    expect(new Set(free.map((r) => r.memoryMb))).toEqual(new Set([256]));
    expect(held.length).toBeGreaterThan(0);
    for (const row of held) expect(row.memoryMb).toBeGreaterThanOrEqual(1024);
  });

  it('keeps to the sizes the workload is offered', async () => {
    const rows = await costCarbonRows(store, {
      ...scope,
      workloads: { zipper: { minMemoryMb: 128, memorySizes: [2048] } },
    });
    expect(new Set(rows.map((r) => r.memoryMb))).toEqual(new Set([2048]));
  });
});

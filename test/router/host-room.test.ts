import { instancesPerHost } from '../../lib/core/fleet-capacity';
import { HostRoom, ProbeHostTally } from '../../lib/routing/host-room';
import type { AttemptRecord } from '../../lib/routing/types';

const FN = 'sky-usw1-az3-x86_64-1769';

/** An attempt on `functionName` whose instance runs on the host booted at `bootTime` with a 3.0 GHz Xeon. */
const on = (
  bootTime: number | undefined,
  status: AttemptRecord['status'] = 'ok',
  functionName = FN,
): AttemptRecord => ({
  functionName,
  azId: 'usw1-az3',
  status,
  cpu: 'intel-xeon-3.00',
  newInstance: true,
  ...(bootTime !== undefined ? { bootTime } : {}),
  roundTripMs: 1,
  costUsd: 0,
});

describe('HostRoom', () => {
  it("takes what a host's memory allows until a batch has filled a host", () => {
    const room = new HostRoom();
    expect(room.learnedShareMb).toBeUndefined();
    expect(room.at(1769)).toBe(instancesPerHost(1769));
  });

  it("keeps a filled host's room as a share of its memory, which prices every memory size", () => {
    const room = new HostRoom();
    room.learn({ functionName: FN, instances: 6, filled: true }, 1769);
    expect(room.learnedShareMb).toBe(6 * 1769);
    expect(room.at(1769)).toBe(6);
    expect(room.at(128)).toBe(82);
    // Larger than the share, one instance still fits.
    expect(room.at(10_240)).toBe(1);
  });

  it('is set by the latest batch that filled a host, and raised only by one whose workers all fit', () => {
    const room = new HostRoom();
    // All fitted: a lower bound only, which says nothing against the host's memory.
    room.learn({ functionName: FN, instances: 4, filled: false }, 1769);
    expect(room.learnedShareMb).toBeUndefined();
    room.learn({ functionName: FN, instances: 6, filled: true }, 1769);
    room.learn({ functionName: FN, instances: 3, filled: false }, 1769);
    expect(room.at(1769)).toBe(6);
    room.learn({ functionName: FN, instances: 8, filled: false }, 1769);
    expect(room.at(1769)).toBe(8);
    room.learn({ functionName: FN, instances: 5, filled: true }, 1769);
    expect(room.at(1769)).toBe(5);
  });
});

describe('ProbeHostTally', () => {
  it("counts, in call order, the workers' first instances on the probe's host before one landed elsewhere", () => {
    const tally = new ProbeHostTally();
    tally.observeProbe(on(100, 'rejected'));
    tally.observeProbe(on(7));
    // Answered out of order: call 4 landed elsewhere after calls 1 to 3 filled the probe's host.
    for (const [index, boot] of [
      [3, 7],
      [1, 7],
      [4, 8],
      [2, 7],
      [5, 7],
    ]) {
      tally.observeFirst(index, on(boot));
    }
    expect(tally.room()).toEqual({ functionName: FN, instances: 4, filled: true });
  });

  it('says the host was not filled when every worker landed on it', () => {
    const tally = new ProbeHostTally();
    tally.observeProbe(on(7));
    tally.observeFirst(1, on(7));
    tally.observeFirst(2, on(7));
    expect(tally.room()).toEqual({ functionName: FN, instances: 3, filled: false });
  });

  it('leaves out workers started on another function and warm instances, and tells nothing where a host is unknown', () => {
    const tally = new ProbeHostTally();
    tally.observeProbe(on(7));
    tally.observeFirst(1, on(9, 'ok', 'sky-usw1-az1-x86_64-1769'));
    tally.observeFirst(2, { ...on(9), newInstance: false });
    tally.observeFirst(3, on(7));
    expect(tally.room()).toEqual({ functionName: FN, instances: 2, filled: false });
    tally.observeFirst(4, on(undefined));
    expect(tally.room()).toBeUndefined();
    // Without the probe's answer, its host is unknown.
    const blind = new ProbeHostTally();
    blind.observeProbe(on(7, 'rejected'));
    blind.observeFirst(1, on(7));
    expect(blind.room()).toBeUndefined();
  });
});

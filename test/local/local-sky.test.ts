import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SkyStore } from '../../lib/aws/store';
import { cpuKeyOf } from '../../lib/core/cpu';
import { apeOfCounts } from '../../lib/core/distribution';
import { ProfileBook } from '../../lib/core/profiles';
import {
  deploymentTableName,
  LOCAL_STRATEGIES,
  LocalSkyError,
  type LocalSkyOptions,
  type LocalSkyResult,
  type Progress,
  runLocalSky,
} from '../../lib/local';
import { formatUsd } from '../../lib/report/format';
import { formatHighlights } from '../../lib/report/summary-text';
import { parseScenario } from '../../lib/twin/scenario';
import { offeredMemorySizes } from '../../lib/twin/workload-model';

const ROOT = path.join(__dirname, '..', '..');
const SCENARIO_FILE = path.join(ROOT, 'test', 'fixtures', 'local-small.json');
const scenarioJson = JSON.parse(readFileSync(SCENARIO_FILE, 'utf8'));

/** Small enough to run in seconds: polls of 100, bursts of 20. */
const SMALL: LocalSkyOptions = {
  scenario: SCENARIO_FILE,
  pollConcurrency: 100,
  burst: 20,
  concurrency: 10,
  profilingCalls: 2,
  experimentBurst: 20,
};

/** Records the lines and task labels a run reports, and calls `onTask` when a task starts. */
function recordingProgress(onTask: (label: string) => void = () => undefined): Progress & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    task(label) {
      onTask(label);
      return { update() {}, setTotal() {}, done() {} };
    },
    log: (line) => lines.push(line),
    stop() {},
  };
}

/** The endpoints a run announced in its first progress line. */
function endpointsOf(lines: readonly string[]): string[] {
  return [...(lines.join('\n').match(/http:\/\/127\.0\.0\.1:\d+/g) ?? [])];
}

/** Resolves true when something accepts a TCP connection at `url`, false when it is refused. */
function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The scenario's day-0 mix of a zone, by normalized CPU key, read from the file itself. */
function day0Mix(azId: string): Record<string, number> {
  const zone = scenarioJson.zones.find((z: { azId: string }) => z.azId === azId);
  const mix: Record<string, number> = {};
  for (const [key, share] of Object.entries<number>(zone.mix[0])) {
    if (share > 0) mix[cpuKeyOf(scenarioJson.cpus[key].model)] = share;
  }
  return mix;
}

interface StoredItem {
  readonly pk: string;
  readonly sk: string;
  readonly [key: string]: unknown;
}

describe('sky local on a small scenario, end to end', () => {
  let outDir: string;
  let result: LocalSkyResult;
  const stored: Record<string, StoredItem[]> = {};
  /** What profiling taught every deployment before its bursts, read from the table as the router reads it. */
  let profiled: ProfileBook;
  const progress = recordingProgress();

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'sky-local-'));
    result = await runLocalSky({
      ...SMALL,
      outDir,
      progress,
      async beforeStop(world) {
        // Read back what the run stored, with the AWS SDK, before the servers stop.
        const client = new DynamoDBClient({
          region: world.tableRegion,
          endpoint: world.dynamoEndpoint,
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        });
        const doc = DynamoDBDocumentClient.from(client);
        const partitions = [
          ...scenarioJson.zones.map((z: { azId: string }) => `ZONE#${z.azId}`),
          ...Object.keys(scenarioJson.workloads).map((w) => `PROFILE#${w}`),
        ];
        try {
          const store = new SkyStore({ client: doc, tableName: world.tableName });
          profiled = new ProfileBook(await store.profiles(Object.keys(scenarioJson.workloads)));
          for (const pk of partitions) {
            const out = await doc.send(
              new QueryCommand({
                TableName: world.tableName,
                KeyConditionExpression: 'pk = :pk',
                ExpressionAttributeValues: { ':pk': pk },
              }),
            );
            stored[pk] = (out.Items ?? []) as StoredItem[];
          }
          for (const zone of scenarioJson.zones as Array<{ azId: string }>) {
            const latest = stored[`ZONE#${zone.azId}`].find((item) => item.sk === 'LATEST');
            const runId = String(latest?.runId ?? '');
            const out = await doc.send(
              new QueryCommand({
                TableName: world.tableName,
                KeyConditionExpression: 'pk = :pk AND begins_with(sk, :poll)',
                ExpressionAttributeValues: { ':pk': `RUN#${runId}`, ':poll': 'POLL#' },
              }),
            );
            stored[`POLLS#${zone.azId}`] = (out.Items ?? []) as StoredItem[];
          }
          // What each strategy's deployment learned, in the table it routed from.
          for (const strategy of LOCAL_STRATEGIES) {
            for (const workload of Object.keys(scenarioJson.workloads)) {
              const out = await doc.send(
                new QueryCommand({
                  TableName: deploymentTableName(world.tableName, strategy),
                  KeyConditionExpression: 'pk = :pk',
                  ExpressionAttributeValues: { ':pk': `PROFILE#${workload}` },
                }),
              );
              stored[`${strategy}:PROFILE#${workload}`] = (out.Items ?? []) as StoredItem[];
            }
          }
        } finally {
          client.destroy();
        }
      },
    });
  });

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('stores a LATEST characterization per zone, the CHAR record behind it, and every poll of its run', () => {
    for (const zone of scenarioJson.zones as Array<{ azId: string }>) {
      const items = stored[`ZONE#${zone.azId}`];
      const latest = items.find((item) => item.sk === 'LATEST')!;
      expect(latest).toBeDefined();
      const chars = items.filter((item) => item.sk.startsWith('CHAR#'));
      expect(chars).toHaveLength(1);
      const polls = stored[`POLLS#${zone.azId}`];
      expect(polls.length).toBeGreaterThanOrEqual(1);
      expect(latest.polls).toBe(polls.length);
      // The characterization counts the distinct hosts (boot time, CPU) its polls met, and records its confidence.
      const hosts = new Map<string, string>();
      for (const poll of polls) {
        for (const h of (poll.aggregate as { hosts: Array<{ bootTime: number; cpu: string }> }).hosts) {
          hosts.set(`${h.cpu}@${h.bootTime}`, h.cpu);
        }
      }
      const perCpu: Record<string, number> = {};
      for (const cpu of hosts.values()) perCpu[cpu] = (perCpu[cpu] ?? 0) + 1;
      expect(latest.counts).toEqual(perCpu);
      expect(latest.confidence).toMatchObject({ hostsSeen: hosts.size });
      // Only CPUs the zone really has were seen.
      expect(Object.keys(latest.counts as object).sort()).toEqual(Object.keys(day0Mix(zone.azId)).sort());
    }
  });

  it('learns the workloads’ runtimes per CPU in the table as the router routes', () => {
    for (const workload of Object.keys(scenarioJson.workloads)) {
      expect(stored[`PROFILE#${workload}`].length).toBeGreaterThanOrEqual(1);
    }
  });

  it('profiles each workload across the memory sizes optimal may choose, and optimal chooses a cheaper one than its own', () => {
    const scenario = parseScenario(scenarioJson);
    for (const [name, workload] of Object.entries(scenario.workloads)) {
      // Profile entries are keyed CPU#<cpu>#<arch>#<memory>.
      const sizes = new Set(stored[`PROFILE#${name}`].map((item) => Number(String(item.sk).split('#')[3])));
      expect([...sizes].every((mb) => offeredMemorySizes(workload).includes(mb))).toBe(true);
      expect(sizes).toContain(workload.memoryMb);
      expect(sizes.size).toBeGreaterThan(1);
      for (const burst of result.bursts.filter((b) => b.workload === name)) {
        // One vCPU's work: any size up to 1,769 MB runs it as fast per vCPU-second, for less than 2,048 MB; zipper
        // runs in no less than 1,024 MB.
        if (burst.strategy === 'optimal') {
          expect(burst.memoryMb).toBeLessThanOrEqual(1769);
          expect(burst.memoryMb).toBeGreaterThanOrEqual(workload.minMemoryMb);
        } else expect(burst.memoryMb).toBe(workload.memoryMb);
      }
    }
    // and the summary says where each strategy's bursts ran
    for (const row of result.summary.strategies) {
      const bursts = result.bursts.filter((b) => b.strategy === row.strategy);
      expect(row.memorySizes).toEqual([...new Set(bursts.map((b) => b.memoryMb))].sort((a, b) => a - b));
      expect(row.architectures).toEqual([...new Set(bursts.map((b) => b.arch))].sort());
    }
    expect(result.summary.strategies.find((r) => r.strategy === 'baseline')?.memorySizes).toEqual([2048]);
  });

  it('summarizes each zone as stored, with its APE against the true mix', () => {
    expect(result.summary.zones.map((z) => z.azId)).toEqual(scenarioJson.zones.map((z: { azId: string }) => z.azId));
    for (const row of result.summary.zones) {
      const latest = stored[`ZONE#${row.azId}`].find((item) => item.sk === 'LATEST')!;
      expect(row.counts).toEqual(latest.counts);
      expect(row.polls).toBe(latest.polls);
      expect(row.apeVsTruth).toBeCloseTo(apeOfCounts(row.counts, day0Mix(row.azId)), 9);
      expect(row.costUsd).toBeGreaterThan(0);
    }
  });

  it('routes every request of every burst, and summarizes each strategy against the fixed zone', () => {
    const workloads = Object.keys(scenarioJson.workloads).length;
    expect(result.bursts).toHaveLength(workloads * LOCAL_STRATEGIES.length);
    for (const burst of result.bursts) {
      expect(burst.succeeded).toBe(SMALL.burst);
      expect(burst.failed).toBe(0);
    }
    expect(result.summary.strategies.map((s) => s.strategy)).toEqual([...LOCAL_STRATEGIES]);
    const baseline = result.summary.strategies.find((s) => s.strategy === 'baseline')!;
    expect(baseline.savingsPct).toBe(0);
    expect(baseline.costUsd).toBeCloseTo(baseline.baselineCostUsd, 12);
    for (const row of result.summary.strategies) {
      expect(row.requests).toBe(SMALL.burst! * workloads);
      expect(row.baselineCostUsd).toBeCloseTo(baseline.costUsd, 12);
      expect(row.savingsPct).toBeCloseTo((100 * (baseline.costUsd - row.costUsd)) / baseline.costUsd, 9);
      const bursts = result.bursts.filter((b) => b.strategy === row.strategy);
      // Added latency: the billed time of the attempts before each call's last (their INIT and CPU check), which
      // every strategy that rejected some attempt has
      const rejects = bursts.reduce((sum, b) => sum + b.rejects, 0);
      const billedBeforeLast = bursts.reduce((sum, b) => sum + b.billedBeforeLastMs, 0);
      expect(row.meanAddedLatencyMs).toBeCloseTo(billedBeforeLast / row.requests, 9);
      expect(billedBeforeLast > 0).toBe(rejects > 0);
      expect(row.attemptsPerRequest).toBeGreaterThanOrEqual(1);
    }
  });

  it("bills the profiling calls apart from every strategy's, and says so in the summary", () => {
    // GIVEN what profiling taught the router: a runtime per zone each profiling call ran in
    const profiled = Object.keys(scenarioJson.workloads).reduce(
      (sum, workload) => sum + stored[`PROFILE#${workload}`].reduce((n, item) => n + Number(item.count ?? 0), 0),
      0,
    );
    // THEN the summary counts those calls (a call whose attempts met only other CPUs in one zone moves on to the
    // next, so a call may teach more than one runtime), the attempts each runtime took, and what they were billed
    const spend = result.summary.profiling!;
    expect(spend.requests).toBeGreaterThan(0);
    expect(profiled).toBeGreaterThanOrEqual(spend.requests);
    expect(spend.attempts).toBeGreaterThanOrEqual(profiled);
    expect(spend.costUsd).toBeGreaterThan(0);
    // and the printed summary gives the bill, apart from the strategies' costs
    expect(formatHighlights(result.summary)).toContain(
      `Profiling: ${spend.requests} calls (${spend.attempts} attempts) before the strategies' bursts, ` +
        `${formatUsd(spend.costUsd)}`,
    );
  });

  it("starts every strategy from the same pool, and its workloads share the mesh's functions", () => {
    // Both workloads run at the same memory in the fixed zone under the paper's strategies, so a burst after another
    // finds its instances warm. A strategy's first bursts (optimal's, paced, all go at once) start as many instances
    // as they run calls at a time: no instance is left warm by an earlier strategy.
    for (const strategy of LOCAL_STRATEGIES) {
      const bursts = result.bursts.filter((b) => b.strategy === strategy);
      expect(bursts).toHaveLength(2);
      if (strategy !== 'optimal') for (const b of bursts) expect(b.concurrency).toBe(SMALL.concurrency);
      const first = strategy === 'optimal' ? bursts : bursts.slice(0, 1);
      const sum = (f: (b: (typeof bursts)[number]) => number) => first.reduce((n, b) => n + f(b), 0);
      expect(sum((b) => b.newInstances)).toBeGreaterThanOrEqual(sum((b) => b.concurrency));
    }
    const [, second] = result.bursts.filter((b) => b.strategy === 'baseline');
    expect(second.newInstances).toBeLessThan(second.concurrency);
  });

  it('routes each strategy as a deployment of its own, which learns from its own calls only', () => {
    const observations = (items: readonly StoredItem[]): number =>
      items.reduce((sum, item) => sum + Number(item.count ?? 0), 0);
    for (const workload of Object.keys(scenarioJson.workloads)) {
      const profiled = observations(stored[`PROFILE#${workload}`]);
      expect(profiled).toBeGreaterThan(0);
      for (const strategy of LOCAL_STRATEGIES) {
        const own = result.bursts.find((b) => b.workload === workload && b.strategy === strategy)!;
        // What profiling taught every deployment, plus one runtime per call of this strategy's own burst.
        expect(observations(stored[`${strategy}:PROFILE#${workload}`])).toBe(profiled + own.succeeded);
      }
    }
  });

  it('follows the paper’s strategies: the fixed zone for baseline and retries, rejecting the CPUs profiling measured slowest', () => {
    // The strategies rank CPUs by what profiling measured, read from the table as every deployment read it before its
    // bursts. Two profiling calls per CPU may rank the 3.0 GHz Xeon behind the 2.5 GHz one (10% apart, a spread of
    // 5%), so the ranking comes from the stored runtimes, not from the scenario's truth.
    const presentIn = (azId: string): string[] => {
      const latest = stored[`ZONE#${azId}`].find((item) => item.sk === 'LATEST')!;
      return Object.entries(latest.counts as Record<string, number>)
        .filter(([, n]) => n > 0)
        .map(([cpu]) => cpu);
    };
    const inView = [...new Set(scenarioJson.zones.flatMap((z: { azId: string }) => presentIn(z.azId)))] as string[];
    for (const burst of result.bursts) {
      const runtime = (cpu: string) => profiled.runtime(burst.workload, cpu, burst.arch, burst.memoryMb).meanMs;
      const fastestFirst = (cpus: readonly string[]) =>
        [...cpus].sort((a, b) => runtime(a) - runtime(b) || (a < b ? -1 : 1));
      const present = fastestFirst(presentIn(burst.azId));
      if (['baseline', 'retry-slow', 'focus-fastest'].includes(burst.strategy)) {
        expect(burst.azId).toBe(scenarioJson.baselineZone);
      }
      if (burst.strategy === 'baseline' || burst.strategy === 'regional') {
        expect(burst.rejectCpus).toEqual([]);
        expect(burst.rejects).toBe(0);
      }
      if (burst.strategy === 'focus-fastest') expect([...burst.rejectCpus].sort()).toEqual(present.slice(1).sort());
      if (burst.strategy === 'retry-slow' || burst.strategy === 'hybrid') {
        // The two slowest CPU types of the whole view, where they are the zone's slowest; never the zone's fastest.
        const slowestTwo = new Set(fastestFirst(inView).reverse().slice(0, 2));
        let tail = 0;
        while (tail < present.length - 1 && slowestTwo.has(present[present.length - 1 - tail])) tail++;
        expect([...burst.rejectCpus].sort()).toEqual(present.slice(present.length - tail).sort());
      }
      // No strategy rejects the CPU it measured fastest in the zone.
      expect(burst.rejectCpus).not.toContain(present[0]);
      // Only a placement with CPUs to reject makes the dynamic function reject.
      if (burst.rejectCpus.length === 0) expect(burst.rejects).toBe(0);
    }
    // The 2.9 GHz Xeon runs 25% slower than the 2.5 GHz one, five spreads apart: measured slowest on every run.
    for (const strategy of ['retry-slow', 'focus-fastest']) {
      for (const burst of result.bursts.filter((b) => b.strategy === strategy)) {
        expect(burst.rejectCpus).toContain('intel-xeon-2.90');
      }
    }
  });

  it('writes the report: the summary and the twin’s days as data, the charts as inline SVG', async () => {
    const data = JSON.parse(await readFile(path.join(outDir, 'report.json'), 'utf8'));
    expect(data.summary).toEqual(JSON.parse(JSON.stringify(result.summary)));
    expect(data.scenario.days).toBe(scenarioJson.days);
    for (const zone of scenarioJson.zones as Array<{ azId: string }>) {
      const days = new Set(
        data.cpuMix.filter((r: { azId: string }) => r.azId === zone.azId).map((r: { day: number }) => r.day),
      );
      expect([...days].sort()).toEqual([0, 1, 2]);
    }
    expect(data.drift).toHaveLength(scenarioJson.zones.length * scenarioJson.days);
    expect(data.featuredWorkloads).toEqual(['zipper', 'logistic-regression']);
    const html = await readFile(path.join(outDir, 'report.html'), 'utf8');
    // The weighted objective's trade-off, placed by the core router from the table the run filled.
    const workloads = Object.keys(scenarioJson.workloads as Record<string, unknown>);
    expect(new Set(data.costCarbon.map((r: { workload: string }) => r.workload))).toEqual(new Set(workloads));
    type Row = { workload: string; azId: string; memoryMb: number; costUsdPer1000: number; carbonGPer1000: number };
    for (const r of data.costCarbon as Row[]) {
      expect((scenarioJson.zones as Array<{ azId: string }>).map((z) => z.azId)).toContain(r.azId);
      // Placed as the router places the workload: never below the memory it runs in.
      expect(r.memoryMb).toBeGreaterThanOrEqual(scenarioJson.workloads[r.workload].minMemoryMb ?? 128);
      expect(r.costUsdPer1000).toBeGreaterThan(0);
      expect(r.carbonGPer1000).toBeGreaterThan(0);
    }
    for (const id of [
      'cpu-mix',
      'ape-by-polls',
      'polls-to-95',
      'drift',
      'cost-per-day-zipper',
      'savings',
      'cost-carbon',
    ]) {
      expect(html).toMatch(new RegExp(`<figure id="${id}">\\s*<h3>[^<]*<span[^>]*>[^<]*</span></h3>\\s*<svg`));
    }
    expect(html).not.toMatch(/<script|https?:/i);
  });

  it('stops every server before it returns', async () => {
    const endpoints = endpointsOf(progress.lines);
    expect(endpoints).toEqual([result.endpoints.lambda, result.endpoints.dynamo]);
    for (const endpoint of endpoints) expect(await accepts(endpoint)).toBe(false);
  });
});

describe('sky local when something goes wrong', () => {
  it('fails at the scenario step, naming the field, when the scenario breaks the spec', async () => {
    const broken = { ...scenarioJson, zones: [{ ...scenarioJson.zones[0], hosts: 0 }] };
    const run = runLocalSky({ ...SMALL, scenario: broken });
    await expect(run).rejects.toThrow(LocalSkyError);
    await expect(run).rejects.toThrow(/step 'scenario'.*zones\[0\]\.hosts/s);
  });

  it('stops at once and closes every server when aborted mid-run', async () => {
    const controller = new AbortController();
    const progress = recordingProgress((label) => {
      if (label.startsWith('sample')) controller.abort(new LocalSkyError('interrupted', 'test abort'));
    });
    await expect(runLocalSky({ ...SMALL, progress, signal: controller.signal })).rejects.toThrow(/interrupted/);
    const endpoints = endpointsOf(progress.lines);
    expect(endpoints).toHaveLength(2);
    for (const endpoint of endpoints) expect(await accepts(endpoint)).toBe(false);
  });

  it("stops the twin's multi-day experiment too when aborted during it: nothing runs on after the run returns", async () => {
    // GIVEN a run aborted at the experiment's first step
    const controller = new AbortController();
    let steps = 0;
    const progress: Progress = {
      task(label) {
        const experiment = label.startsWith('twin:');
        return {
          update() {
            if (!experiment) return;
            steps++;
            if (!controller.signal.aborted) controller.abort(new LocalSkyError('interrupted', 'test abort'));
          },
          setTotal() {},
          done() {},
        };
      },
      log() {},
      stop() {},
    };
    // WHEN it returns
    await expect(runLocalSky({ ...SMALL, progress, signal: controller.signal })).rejects.toThrow(/interrupted/);
    // THEN the experiment's worker threads were ended: no further step is reported
    expect(steps).toBeGreaterThan(0);
    const settled = steps;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(steps).toBe(settled);
  });

  /** Runs the CLI and collects its exit code and stderr; `onStderr` may signal it. */
  function runCli(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) {
    return new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'sky.js'), 'local', ...args], { cwd: ROOT });
      let stderr = '';
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        onStderr?.(stderr, child);
      });
      child.on('close', (code) => resolve({ code, stderr, stdout }));
    });
  }

  it('exits non-zero with a clear message when the scenario file is missing', async () => {
    const { code, stderr, stdout } = await runCli(['--scenario', 'no/such/scenario.json', '--no-report']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/local sky failed at step 'scenario'.*no\/such\/scenario\.json/s);
    expect(stdout).toBe('');
  });

  it('fails at the output step, before any server starts, when --out cannot be a folder', async () => {
    const { code, stderr, stdout } = await runCli(['--scenario', SCENARIO_FILE, '--out', 'README.md']);
    expect(code).toBe(1);
    expect(stderr).toContain("local sky failed at step 'output': --out README.md: it is a file, not a folder");
    expect(stderr).not.toContain('Lambda API');
    expect(stdout).toBe('');
  });

  it('still returns (and the CLI prints) the summary when writing the report fails', async () => {
    // GIVEN an output folder that can be written, but where report.html is taken by a folder
    const out = await mkdtemp(path.join(tmpdir(), 'sky-local-out-'));
    await mkdir(path.join(out, 'report.html'));
    try {
      const { experimentBurst: _burst, ...live } = SMALL;
      const result = await runLocalSky({ ...live, experiment: false, outDir: out });
      expect(result.reportError).toBeInstanceOf(LocalSkyError);
      expect(result.reportError!.message).toMatch(/step 'report'.*EISDIR/s);
      expect(result.report).toBeUndefined();
      expect(result.summary.strategies.length).toBeGreaterThan(0);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('stops on Ctrl-C (SIGINT): exit code 130, servers closed', async () => {
    let sent = false;
    const args = ['--scenario', SCENARIO_FILE, '--poll-concurrency', '100', '--no-progress', '--no-report'];
    const { code, stderr } = await runCli(args, (text, child) => {
      if (!sent && /Lambda API http/.test(text)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping the local sky/);
    for (const endpoint of endpointsOf([stderr])) expect(await accepts(endpoint)).toBe(false);
  });
});

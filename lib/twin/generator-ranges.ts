/**
 * The ranges the scenario generator draws from, each with where it comes from. Measured figures come from
 * two public data sets, their figures written out below; where nothing was measured (arm64 fleets, zone
 * capacities, burst sizes) the range is a design choice and says so.
 *
 * - 2024 mixes: the SAAF repository's `cpu_distribution` notebook output (about
 *   May 2024): shares of cpuType among new instances of a 2048 MB x86_64 function, ~1,000 parallel requests per
 *   region. Only regions with more than 100 instances counted are used here.
 * - 2025 runtimes and the abrupt shift: aggregated from Persists/classifaas-results
 *   (commit 9fda4e84, late 2025): a 400×400 matrix multiply at 128, 512 and 2048 MB in 12 regions, and in
 *   us-east-1 every 2 h for a day, where the mix moved within hours.
 * - The paper (Cordingly et al., serverless sky computing): the 3.0 GHz Xeon 5–15% faster than the 2.5 GHz
 *   baseline, the 2.9 GHz 15–30% slower, AMD EPYC up to 50% slower (faster for disk-bound work).
 */

/** The scenario CPU keys the generator declares, with the model strings instances read. */
export const GENERATOR_CPUS = {
  xeon25: 'Intel(R) Xeon(R) Processor @ 2.50GHz',
  xeon29: 'Intel(R) Xeon(R) Processor @ 2.90GHz',
  xeon30: 'Intel(R) Xeon(R) Processor @ 3.00GHz',
  epyc: 'AMD EPYC',
  graviton2: 'graviton2',
  graviton3: 'graviton3',
} as const;

export type X86CpuKey = 'xeon25' | 'xeon29' | 'xeon30' | 'epyc';
export type X86Mix = Readonly<Record<X86CpuKey, number>>;

/** 2024 shares of new x86_64 instances per region (SAAF notebook; regions with > 100 instances counted). */
export const MEASURED_MIX_2024: Readonly<Record<string, X86Mix>> = {
  'ap-northeast-1': { xeon25: 0.7043, xeon29: 0.1168, xeon30: 0.1601, epyc: 0.0188 },
  'ap-northeast-3': { xeon25: 0.7705, xeon29: 0.159, xeon30: 0.0705, epyc: 0 },
  'ap-south-1': { xeon25: 0.8373, xeon29: 0.0778, xeon30: 0.0849, epyc: 0 },
  'ap-southeast-1': { xeon25: 0.7528, xeon29: 0.0967, xeon30: 0.1487, epyc: 0.0019 },
  'ap-southeast-2': { xeon25: 0.7007, xeon29: 0.042, xeon30: 0.2573, epyc: 0 },
  'ca-central-1': { xeon25: 0.6471, xeon29: 0.1771, xeon30: 0.0399, epyc: 0.1358 },
  'eu-central-1': { xeon25: 0.8857, xeon29: 0, xeon30: 0.0476, epyc: 0.0667 },
  'eu-north-1': { xeon25: 0.8526, xeon29: 0.041, xeon30: 0.1063, epyc: 0 },
  'eu-west-1': { xeon25: 0.7709, xeon29: 0.0143, xeon30: 0.2148, epyc: 0 },
  'eu-west-2': { xeon25: 0.7207, xeon29: 0.0725, xeon30: 0.2068, epyc: 0 },
  'eu-west-3': { xeon25: 0.9827, xeon29: 0.013, xeon30: 0.0043, epyc: 0 },
  'sa-east-1': { xeon25: 0.8532, xeon29: 0.0231, xeon30: 0.0734, epyc: 0.0503 },
  'us-east-1': { xeon25: 0.8097, xeon29: 0.0865, xeon30: 0.0629, epyc: 0.0409 },
  'us-east-2': { xeon25: 0.7193, xeon29: 0.0123, xeon30: 0.0922, epyc: 0.1762 },
  'us-west-1': { xeon25: 0.6548, xeon29: 0.2519, xeon30: 0.0533, epyc: 0.04 },
  'us-west-2': { xeon25: 0.6767, xeon29: 0.0884, xeon30: 0.097, epyc: 0.1379 },
};

/** An inclusive range [low, high]. */
export type Range = readonly [number, number];

/**
 * The mix after us-east-1's abrupt shift (2025 data, runs 2025-11-26T18Z to 11-27T10Z): share ranges over the
 * runs, per CPU. A shifted day draws each share within its range and normalizes.
 */
export const SHIFTED_MIX_2025: Readonly<Record<X86CpuKey, Range>> = {
  xeon25: [0.316, 0.548],
  epyc: [0.106, 0.385],
  xeon30: [0.009, 0.381],
  xeon29: [0.071, 0.233],
};

/**
 * How far one availability zone's mix strays from its region's pooled 2024 shares: the concentration of the
 * Dirichlet draw around them (smaller strays further). Design choice: the paper's us-west-1a and us-west-1b
 * differ by ~60 APE, its drifting zones move 20–50 APE between days (Figure 7), so concentrations of 15–150.
 */
export const ZONE_CONCENTRATION: Range = [15, 150];

/** Pseudo-count each CPU gets in that draw, so a CPU the region's sample missed can still appear (design choice). */
export const ABSENT_CPU_PSEUDO_COUNT = 0.3;

/** Runtime multipliers against the 2.5 GHz Xeon, as the paper reports them for its CPU-bound workloads (§4.2). */
export const PAPER_RELATIVE: Readonly<Record<Exclude<X86CpuKey, 'xeon25'>, Range>> = {
  xeon30: [0.85, 0.95],
  xeon29: [1.15, 1.3],
  epyc: [1.1, 1.5],
};

/** Disk-bound work in the paper (disk-writer, sha1-hash): every CPU within a few percent, EPYC sometimes ahead. */
export const FLAT_RELATIVE: Readonly<Record<Exclude<X86CpuKey, 'xeon25'>, Range>> = {
  xeon30: [0.93, 0.99],
  xeon29: [1.02, 1.1],
  epyc: [0.95, 1.12],
};

/**
 * The 2025 matrix multiply's ratios to the 2.5 GHz Xeon per memory size (ranges over regions for the Xeons,
 * over us-east-1's runs for the EPYC): the fastest CPU depends on memory.
 */
export const MEASURED_RELATIVE_2025: Readonly<
  Record<128 | 512 | 2048, Readonly<Record<Exclude<X86CpuKey, 'xeon25'>, Range>>>
> = {
  128: { xeon30: [0.947, 0.967], xeon29: [0.727, 0.745], epyc: [0.466, 0.55] },
  512: { xeon30: [0.855, 1.007], xeon29: [0.802, 0.852], epyc: [0.61, 0.631] },
  2048: { xeon30: [0.872, 0.883], xeon29: [0.962, 0.996], epyc: [1.01, 1.049] },
};

/**
 * Graviton runtime multipliers against the 2.5 GHz Xeon. Design choice: neither data set has a Graviton
 * (2025: x86_64 everywhere); Graviton2 from a little faster to 40% slower than the Xeon, Graviton3 5–40% faster
 * than Graviton2 (AWS markets Graviton3 as up to 25% faster; the range is wider on purpose).
 */
export const GRAVITON2_RELATIVE: Range = [0.8, 1.4];
export const GRAVITON3_OVER_GRAVITON2: Range = [0.6, 0.95];

/** Share of an arm64 fleet's hosts that are Graviton3 when it has any (design choice; stress-arm-rare-fast: 4–8%). */
export const GRAVITON3_SHARE: Range = [0.02, 0.5];

/** Design choices for the shape of a scenario: not measured, chosen to cover what the issue names. */
export const SHAPE = {
  /** Simulated days (kept short: each day routes every workload under seven strategies). */
  days: [2, 4],
  /** Zones per scenario. */
  zones: [2, 4],
  /** Workloads per scenario. */
  workloads: [1, 3],
  /** Hosts of a zone's x86_64 fleet (log-uniform). */
  hosts: [15, 300],
  /** Instances one host runs at most. */
  slotsPerHost: [20, 200],
  /** Share of hosts one function's cold starts prefer, when a zone packs them (paper-ex5: 0.4). */
  placementSpread: [0.3, 0.6],
  /** Hosts of an arm64 fleet. */
  arm64Hosts: [10, 80],
  /** Chance that a zone has an arm64 fleet. */
  arm64Chance: 0.45,
  /** INIT duration of a new instance, ms (Lambda Node.js cold starts; the scenario default is 150). */
  initMs: [100, 400],
  /** Short workloads: runtime at their memory, ms (log-uniform), and the sizes they are set at. */
  shortMs: [50, 1500],
  shortMemoryMb: [128, 256, 512, 1024],
  /** Long workloads: runtime at their memory, ms (log-uniform), and the sizes they are set at. */
  longMs: [3000, 200_000],
  longMemoryMb: [1024, 1769, 2048, 3538],
  /** Runtime coefficient of variation (paper's workloads: 3–8%). */
  cv: [0.02, 0.12],
  /** Requests per workload per day, by concurrency class. */
  burstLow: [4, 40],
  burstMid: [100, 600],
  burstHigh: [1000, 2500],
} as const;

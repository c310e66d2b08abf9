/**
 * The data a skymesh report is drawn from. Plain JSON: the report writes it next to the HTML page,
 * so every chart can be redrawn or checked from the raw numbers.
 *
 * Days are 0-based everywhere in the data (day 0 is the first day); the charts label them 1-based,
 * as the papers do ("day 1").
 */

/** A zone as the report names it. */
export interface ReportZone {
  /** AZ ID, e.g. `usw1-az3`. */
  readonly azId: string;
  readonly region: string;
  /** AZ name as the papers used it (e.g. `us-west-1b`), where known. */
  readonly name?: string;
}

/** Instances seen on one CPU type in one zone on one day (Figure 2 of the main paper). */
export interface CpuMixRow {
  readonly azId: string;
  readonly day: number;
  /** Normalized CPU key, e.g. `intel-xeon-2.50`. */
  readonly cpu: string;
  readonly count: number;
}

/** Characterization error after a number of polls, in one zone on one day (Figures 5 and 6). */
export interface ApeByPollsRow {
  readonly azId: string;
  readonly day: number;
  /** Number of polls run so far, from 1. */
  readonly polls: number;
  /** APE (0..200) of the cumulative characterization against the zone's true mix that day. */
  readonly ape: number;
}

/** How far a zone's mix on one day is from its mix on day 0 (Figure 7). */
export interface DriftRow {
  readonly azId: string;
  readonly day: number;
  /** APE (0..200) of that day's characterization against day 0's. */
  readonly apeVsFirstDay: number;
}

/** What one workload cost under one strategy on one day (Figures 10 and 11). */
export interface CostPerDayRow {
  readonly workload: string;
  readonly strategy: string;
  readonly day: number;
  readonly costUsd: number;
}

/** Where the weighted objective places a workload at one carbon weight, and its expected cost and carbon. */
export interface CostCarbonRow {
  readonly workload: string;
  /** Weight of carbon against cost (cost's weight is 1; both scaled by their best no-retry value). */
  readonly carbonWeight: number;
  /** AZ ID of the chosen target. */
  readonly azId: string;
  readonly region: string;
  readonly memoryMb: number;
  readonly arch: string;
  /** Expected cost per 1,000 requests, USD. */
  readonly costUsdPer1000: number;
  /** Expected operational emissions per 1,000 requests, gCO2e. */
  readonly carbonGPer1000: number;
}

/** One of our figures next to the paper's. */
export interface PaperComparisonRow {
  /** Where the paper reports it, e.g. `Figure 10` or `§4.4`. */
  readonly source: string;
  /** What is measured, in words. */
  readonly quantity: string;
  /** The paper's value as it states it (e.g. `5.65`, `10.03 ± 3.70`). */
  readonly paper: string;
  /** Ours, or null when this run could not measure it. */
  readonly ours: number | null;
  readonly unit: string;
  /** Why ours differs, or how it was measured. */
  readonly note?: string;
}

/** One zone's line of the summary table. */
export interface ZoneSummaryRow {
  readonly azId: string;
  readonly region: string;
  readonly name?: string;
  /** Instances seen per CPU key in the stored characterization. */
  readonly counts: Readonly<Record<string, number>>;
  readonly polls: number;
  /** Why sampling stopped (`converged`, `saturated`, ...), when known. */
  readonly stoppedBecause?: string;
  /** APE of the stored characterization against the zone's true mix, when the truth is known. */
  readonly apeVsTruth: number | null;
  readonly costUsd: number;
}

/** One strategy's line of the summary table, over every workload routed. */
export interface StrategySummaryRow {
  readonly strategy: string;
  readonly requests: number;
  /** Requests the router answered with an error; their attempts are in `costUsd`. */
  readonly failed: number;
  /** Failed requests by the router's error type (e.g. `DeadlineExceeded`). */
  readonly failures: Readonly<Record<string, number>>;
  readonly costUsd: number;
  /** What the fixed baseline zone cost for as many answered requests. */
  readonly baselineCostUsd: number;
  /** 100 × (baseline − cost) / baseline. */
  readonly savingsPct: number;
  readonly attemptsPerRequest: number;
  /**
   * Latency the attempts before each request's last added, per request, ms: their billed time (INIT, CPU check,
   * hold; `BatchCallOutcome.billedBeforeLastMs`), in the emulated time the local sky bills.
   */
  readonly meanAddedLatencyMs: number;
  /** Memory sizes (MB) its bursts ran at, ascending. */
  readonly memorySizes?: readonly number[];
  /** Architectures its bursts ran on. */
  readonly architectures?: readonly string[];
}

/**
 * The live run's profiling requests, sent once before any strategy's bursts (their runtimes are where every
 * strategy's deployment starts): what they took and what the platforms billed for them, in none of the strategies' costs.
 */
export interface ProfilingSummary {
  /** Calls the profiling requests made: of every workload on every CPU × architecture × memory size it may run at. */
  readonly requests: number;
  /** Invocations they took, failovers included. */
  readonly attempts: number;
  readonly costUsd: number;
}

/** Savings of one workload under one strategy over the whole experiment. */
export interface WorkloadSavingsRow {
  readonly workload: string;
  readonly strategy: string;
  readonly savingsPct: number;
}

/** What the run printed as its summary, kept in the report too. */
export interface SummaryTable {
  /** Where the summary was measured, e.g. `local sky: state machines in dynalite, router handler`. */
  readonly source: string;
  readonly zones: readonly ZoneSummaryRow[];
  readonly strategies: readonly StrategySummaryRow[];
  /** Absent when the run did not profile. */
  readonly profiling?: ProfilingSummary;
}

/** Everything one report shows. */
export interface ReportData {
  readonly title: string;
  /** ISO-8601 time the data was produced. */
  readonly generatedAt: string;
  readonly scenario: {
    readonly name: string;
    readonly description?: string;
    readonly seed: number;
    readonly days: number;
    /** The fixed zone of the baseline strategy. */
    readonly baselineZone: string;
  };
  readonly zones: readonly ReportZone[];
  /** Per zone and day; rows with a zero count may be left out. */
  readonly cpuMix: readonly CpuMixRow[];
  readonly apeByPolls: readonly ApeByPollsRow[];
  readonly drift: readonly DriftRow[];
  readonly costPerDay: readonly CostPerDayRow[];
  /** Workloads drawn as cost-per-day charts (the paper drew zipper and logistic regression). */
  readonly featuredWorkloads: readonly string[];
  readonly workloadSavings: readonly WorkloadSavingsRow[];
  readonly paperComparison: readonly PaperComparisonRow[];
  /** The weighted objective's cost-versus-carbon trade-off per workload; absent: no chart. */
  readonly costCarbon?: readonly CostCarbonRow[];
  /** How the figures were measured (burst sizes, time scales, ...), shown under the comparison. */
  readonly notes?: readonly string[];
  readonly summary: SummaryTable;
}

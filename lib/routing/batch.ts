import { jsonByteLength } from '../contracts';
import type { Sends } from '../core/pacing';
import { drawnChance } from '../core/pool-draws';
import type { Placement, Target } from '../core/types';
import { type FollowContext, followRoute, isRefusedWork, pinnedTo, priceOf, type Route, summarize } from './follow';
import { type HostRoom, ProbeHostTally } from './host-room';
import type { PacingMove, PacingReviewer } from './pacing';
import { DrawWindow, RetryRepeats, usesPerInstance } from './pool';
import { type ProbePlan, probeUses } from './probe';
import { SYNC_PAYLOAD_LIMIT_BYTES, type Work } from './request';
import { SearchBill } from './search-bill';
import { spreadOf, type WorkerSpread } from './spread';
import { plannedCallMs, TimeBudget } from './time-budget';
import type {
  AttemptRecord,
  BatchAnswer,
  BatchCallOutcome,
  BatchPacing,
  BatchResume,
  BatchSummary,
  FailedCall,
  RoutedCall,
  SearchStop,
} from './types';

export interface BatchOptions {
  readonly count: number;
  readonly concurrency: number;
  readonly includeResults: boolean;
  /** How the router chose `concurrency` (`paceBatch`), for the answer. @default - not paced */
  readonly pacing?: BatchPacing;
  /**
   * Start no more calls once the router's time left would not answer another, and answer with `resume` for the rest,
   * instead of widening a paced batch that falls behind its deadline. @default false
   */
  readonly resumable?: boolean;
  /** Weighs the pacing again as the calls meet the pool; moves or widens it once it no longer pays. @default - kept */
  readonly review?: PacingReviewer;
  /** Called with each call's answer as it completes (telemetry). */
  readonly onCall?: (call: RoutedCall) => void;
  /**
   * Search with the first call alone before the other workers start (`probe.ts`); needs the context's clock.
   * @default - every worker starts at once
   */
  readonly probe?: ProbePlan;
  /** Learns from a probed batch's first round how many of a function's instances a host takes. @default - not learned */
  readonly hostRoom?: HostRoom;
  /**
   * What an earlier send left of a paced batch's time budget, ms (`BatchResume.budgetLeftMs`).
   * @default - `pacing.maxSlowdown` × `pacing.unpacedDurationMs`
   */
  readonly budgetLeftMs?: number;
  /**
   * Calls of the batch its earlier sends started (`BatchResume.callsStarted`): the time budget is weighed from the
   * middle of the whole batch, not of this send's calls. @default 0
   */
  readonly callsStarted?: number;
}

/**
 * A burst of `count` invocations of one piece of work, at most `concurrency` at a time, as the
 * paper's batch experiments ran them. All calls share one route, so a zone that fails mid-burst is
 * left by every later call, and a zone that throttles takes from then on only as many calls at once
 * as it held then, the rest going to the next-best zone with room (`Route.placementOn`). Each worker
 * sends its next call when its last one answers, so it meets the instance that call left warm: a
 * call's reject set is the one the pool model gives for the calls its worker still has to send
 * (`Route.placementFor`), strict while an accepted instance will serve many calls, the memoryless one
 * for the last (a probe's, for the calls of the workers its host takes: `probeUses`), and for the CPUs of the new
 * instances the batch met last on that function
 * (`DrawWindow`: the hosts of its last new instances, each once), which run short of accepted CPUs
 * as the batch keeps them, and for how often a rejected instance's replacement met the rejected CPU
 * again beyond chance on that function so far (`RetryRepeats`, afresh once it widens). Every call is answered exactly once
 * in `calls`, in index order. Work the dynamic function refuses (`BadRequest`, `UnknownWorkload`) would be refused at
 * every call, so no call starts after the first refusal; where no call ran the work, the answer is that refusal.
 */
export async function runBatch(
  context: FollowContext,
  work: Work,
  profile: string,
  route: Route,
  options: BatchOptions,
): Promise<BatchAnswer | FailedCall> {
  const first = route.placement;
  const calls: BatchCallOutcome[] = new Array(options.count);
  // Results share Lambda's 6 MB response with the rest of the answer (a few hundred bytes a call).
  let resultBudget = SYNC_PAYLOAD_LIMIT_BYTES - ANSWER_RESERVE_BYTES - options.count * CALL_OUTCOME_BYTES;
  let overBudget = false;
  /**
   * The first call whose work the dynamic function refused (`BadRequest`, `UnknownWorkload`): every call of the batch
   * sends the same work and would be refused alike, so none starts after it.
   */
  let refused: FailedCall | undefined;
  let next = 0;
  let expectedCostUsd = 0;
  // One window per function: a batch split over zones meets several functions at once.
  const draws = new Map<string, DrawWindow>();
  const windowOf = (functionName: string): DrawWindow => {
    const window = draws.get(functionName) ?? new DrawWindow();
    draws.set(functionName, window);
    return window;
  };
  const repeats = new RetryRepeats();
  let searchMoves = 0;
  let spreadStarts = 0;
  /** The targets of the functions the batch's attempts reached, by function name. */
  const targets = new Map<string, Target>();
  // Chance as placements price it, the draws blended into the function's mix: a function whose cold starts reach
  // only a few hosts draws them again and again, and a repeat measured against those hosts alone stays 0 while the
  // placements, whose few draws hardly move the mix, go on searching for a CPU none of those hosts runs.
  const chanceOf = (functionName: string, cpu: string): number | undefined => {
    const counts = draws.get(functionName)?.counts(functionName);
    if (!counts) return undefined;
    const target = targets.get(functionName);
    return drawnChance(counts, cpu, target ? context.placer.mixFor?.(target) : undefined);
  };
  /** Calls at a time: the paced concurrency, until the review widens it. */
  let concurrency = options.concurrency;
  /** The review of the batch's pacing: of its first placement, then of the one it moved to. */
  let review = options.review;
  /** Where the review moved the workers that hold no accepted instance of the first placement, once it did. */
  let moved: Route | undefined;
  /** Where the searching workers run once the batch's bill showed searching costs more than accepting any CPU. */
  let settled: Route | undefined;
  let searchStopped: SearchStop | undefined;
  /** What the search cost each function, as billed (`SearchBill`). */
  const bills = new Map<string, SearchBill>();
  const billOf = (functionName: string): SearchBill => {
    const bill = bills.get(functionName) ?? new SearchBill();
    bills.set(functionName, bill);
    return bill;
  };
  /** The price of accepting any CPU where the batch searches, and when it was priced. */
  let acceptAnyPrice: { readonly route: Route; readonly round: number; readonly placement: Placement } | undefined;
  /**
   * Stops searching once the batch's own bill says it does not pay: where a call costs more from now on, searching
   * as the batch's calls on the searching function did (`SearchBill.perCallUsd`), than accepting any CPU on that
   * function is priced at (one attempt: no search, the model's surest price), the workers that hold no accepted
   * instance there accept whatever CPU they meet from then on, keeping the request's attempts for failovers. Workers
   * the spread started keep to their start (`routeOf`): in another fleet their bill is another function's, and on this
   * one their reject set was chosen for a pool whose accepted hosts are full.
   */
  const weighSearch = (): void => {
    if (settled) return;
    const searching = moved ?? route;
    const here = searching.placement;
    if (here.strategy !== 'optimal' || here.rejectCpus.length === 0) return;
    const bill = bills.get(here.target.functionName);
    if (!bill || bill.calls < SEARCH_BILL_EVIDENCE) return;
    const searchUsd = bill.perCallUsd(usesPerInstance(options.count - next, concurrency), SEARCH_BILL_SURE_BY);
    if (searchUsd === undefined) return;
    // Priced again each SEARCH_BILL_EVIDENCE calls, as what the calls taught the placer moves it, not at every call.
    const round = Math.floor(bill.calls / SEARCH_BILL_EVIDENCE);
    if (acceptAnyPrice?.route !== searching || acceptAnyPrice.round !== round) {
      try {
        const placement = priceOf(context.placer, pinnedTo(searching.request, here.target, 1));
        acceptAnyPrice = { route: searching, round, placement };
      } catch {
        return;
      }
    }
    const acceptAny = acceptAnyPrice.placement;
    if (searchUsd > acceptAny.expected.costUsd) {
      settled = searching.settledOn({ ...acceptAny, maxAttempts: here.maxAttempts });
      searchStopped = {
        atCall: next,
        functionName: here.target.functionName,
        searchUsdPerCall: searchUsd,
        acceptAnyUsdPerCall: acceptAny.expected.costUsd,
      };
    }
  };
  const holdsFirst = (call: RoutedCall): boolean => {
    const last = call.attempts.at(-1);
    return (
      last?.status === 'ok' &&
      last.functionName === first.target.functionName &&
      last.cpu !== undefined &&
      !first.rejectCpus.includes(last.cpu)
    );
  };
  /** Calls at a time the caller allowed: what the review or the deadline widens a paced batch to. */
  const givenConcurrency = Math.max(concurrency, options.pacing?.givenConcurrency ?? concurrency);
  /**
   * Whether a call starting now may go on searching off its function: not while the batch runs paced below the
   * caller's concurrency, nor once its review moved it (the review moves its searching workers; see `PoolHooks`).
   */
  const searchesMove = (): boolean => !moved && concurrency >= givenConcurrency;
  /** Time the answered calls took, from their start to their answer, on the router's deadline clock. */
  const answered = { totalMs: 0, calls: 0, longestMs: 0 };
  /** Whether a resumable batch stopped starting calls for the router's deadline. */
  let stopped = false;
  /**
   * Whether a worker of a resumable batch may start another call: while the router's time left would answer one that
   * takes as long as the longest answered so far, or twice the mean, with room to spare (`RESUME_CALL_MARGIN`). A
   * call the deadline stops is lost and billed; one not started is left to the next send.
   */
  const timeForAnotherCall = (): boolean => {
    if (!options.resumable || answered.calls === 0) return true;
    const remainingMs = context.remainingMs();
    if (!Number.isFinite(remainingMs)) return true;
    return remainingMs >= resumeReserveMs();
  };
  /** The router's time left below which a resumable batch starts no call (`timeForAnotherCall`), ms. */
  const resumeReserveMs = (): number =>
    RESUME_CALL_MARGIN * Math.max(answered.longestMs, (2 * answered.totalMs) / Math.max(1, answered.calls));
  let deadlineWidened: BatchPacing['deadlineWidened'];
  /**
   * Widens a paced batch to the caller's concurrency once its calls left would not all be answered before the
   * router's deadline at its pace: a call the deadline stops is lost, which costs more than the pacing saves. The
   * pacing was planned within part of the time left (`PACING_DEADLINE_SHARE`); this catches calls that run longer.
   */
  const guardDeadline = (): void => {
    if (options.resumable || concurrency >= givenConcurrency || answered.calls === 0) return;
    const remainingMs = context.remainingMs();
    if (!Number.isFinite(remainingMs)) return;
    const meanCallMs = answered.totalMs / answered.calls;
    // Each worker's rounds of the calls not started, after the call each is running.
    const pacedMs = (Math.ceil((options.count - next) / concurrency) + 1) * meanCallMs;
    if (pacedMs <= remainingMs) return;
    deadlineWidened = { atCall: next, concurrency: givenConcurrency, remainingMs: Math.round(remainingMs) };
    concurrency = givenConcurrency;
    respread();
    spawn();
  };
  /** The router's time for one send of a resumable batch: what this one had when it started. */
  const sendSpanMs = context.remainingMs();
  /** A paced batch's time budget, held on the context's clock (without one, the batch keeps its pacing). */
  const budget =
    options.pacing && context.now
      ? new TimeBudget(
          options.budgetLeftMs ?? options.pacing.maxSlowdown * options.pacing.unpacedDurationMs,
          context.now(),
          plannedCallMs(
            options.pacing,
            options.count,
            context.placer.initMs ?? 0,
            options.resumable ? sentWithin(sendSpanMs).sends : undefined,
          ),
        )
      : undefined;
  let budgetWidened: BatchPacing['budgetWidened'];
  /** Runs a paced batch more calls at a time once its calls left would not end within its time budget at its pace. */
  const guardBudget = (now: number): void => {
    if (!budget) return;
    const wider = budget.concurrencyFor(
      {
        concurrency,
        givenConcurrency,
        count: (options.callsStarted ?? 0) + options.count,
        callsLeft: options.count - next,
        initMs: context.placer.initMs ?? 0,
        onPlan: moved === undefined,
        ...(options.resumable
          ? sentWithin(sendSpanMs, { leftMs: context.remainingMs(), reserveMs: resumeReserveMs() })
          : {}),
      },
      now,
    );
    if (wider <= concurrency) return;
    budgetWidened = {
      atCall: budgetWidened?.atCall ?? next,
      concurrency: wider,
      budgetLeftMs: budgetWidened?.budgetLeftMs ?? Math.round(budget.leftMs(now)),
    };
    concurrency = wider;
    respread();
    spawn();
  };
  /** Where the workers beyond the accepted capacity of the fleet the batch follows start, once it is that wide. */
  let spread: readonly WorkerSpread[] | undefined;
  const respread = (): void => {
    const wide = Math.min(concurrency, options.count);
    const uses = usesPerInstance(options.count - next, concurrency);
    spread = spreadOf(context.placer, profile, moved ?? route, wide, uses) ?? spread;
  };
  /** The route a worker's next call follows: its spread's, else where the review moved the batch unless it holds. */
  const routeOf = (id: number, holds: boolean): Route => {
    if (holds) return route;
    const started = spread?.find((s) => id >= s.from && id < s.to);
    if (started) return started.route;
    return settled ?? moved ?? route;
  };
  const workers: Promise<void>[] = [];
  /** While the probe searches alone: its attempts answered so far, when the batch started, and the clock it runs on. */
  let probing: { attempts: number; readonly startedAt: number; readonly now: () => number } | undefined;
  let probed: BatchPacing['probe'];
  /** Where the probe's instance and the other workers' first instances landed (a probed batch's). */
  const tally = options.probe ? new ProbeHostTally() : undefined;
  const firstRound = Math.min(concurrency, options.count);
  const endProbe = (by: 'unanswered' | 'answered'): void => {
    if (!probing) return;
    const afterMs = probing.now() - probing.startedAt;
    probed = { attempts: probing.attempts + (by === 'unanswered' ? 1 : 0), afterMs, by };
    probing = undefined;
    spawn();
  };
  /** Ends the probe once its attempt in flight has gone unanswered for `acceptedAfterMs`: it was accepted. */
  const watchProbe = async (acceptedAfterMs: number, sleep: (ms: number) => Promise<void>): Promise<void> => {
    while (probing) {
      const answered = probing.attempts;
      await sleep(acceptedAfterMs);
      if (probing?.attempts === answered) endProbe('unanswered');
    }
  };
  const spawn = (): void => {
    while (
      workers.length < (probing ? 1 : Math.min(concurrency, options.count)) &&
      next < options.count &&
      !overBudget &&
      !stopped &&
      !refused
    ) {
      workers.push(worker(workers.length));
    }
  };
  /** A worker of the batch (`id`: 0-based, in the order they started), which takes the next call as its last answers. */
  const worker = async (id: number): Promise<void> => {
    /** The expectation of the call that found the instance this worker's calls run on, and its function. */
    let found: { functionName: string; costUsd: number } | undefined;
    /** Whether this worker's last call ran on an accepted instance of the first placement, which it keeps. */
    let holds = false;
    /** Whether a call of this worker has been answered: its first waited for its instance's INIT. */
    let answeredOne = false;
    while (next < options.count && !overBudget && !stopped && !refused) {
      if (!timeForAnotherCall()) {
        stopped = true;
        break;
      }
      const index = next++;
      const leftAtStartMs = context.remainingMs();
      const startedAt = context.now?.();
      const isProbe = probing !== undefined;
      let previous: AttemptRecord | undefined;
      const followed = routeOf(id, holds);
      const spreadStart = spread?.some((s) => s.route === followed) ?? false;
      if (spreadStart) spreadStarts++;
      const call = await followRoute(context, work, profile, followed, {
        // Each worker's instance serves its own calls; the probe's search, the calls of every worker its host takes.
        uses: usesPerInstance(options.count - index, concurrency),
        ...(isProbe && options.probe
          ? { searchUses: probeUses(options.count - index, concurrency, options.probe.hostRoom) }
          : {}),
        callsToCome: options.count - next,
        draws: (functionName) => draws.get(functionName)?.counts(functionName),
        retryRepeat: (functionName) => repeats.estimate(functionName),
        // A worker the spread started elsewhere would search its way back to the fleet whose accepted hosts are full.
        searchesElsewhere: searchesMove() && !spreadStart,
        onAttempt: (attempt, target) => {
          if (probing && id === 0) probing.attempts++;
          if (isProbe) tally?.observeProbe(attempt);
          else if (previous === undefined && index < firstRound) tally?.observeFirst(index, attempt);
          targets.set(target.functionName, target);
          repeats.observe(previous, attempt, chanceOf);
          windowOf(attempt.functionName).observe(attempt);
          if (review) {
            review.observe(previous, attempt, id);
            const elsewhere = moved ? undefined : route.placementOff.bind(route);
            const wider = review.concurrencyFor(concurrency, options.count - next, next, elsewhere);
            if (review.moved && !moved) {
              moved = route.movedTo(review.moved.placement);
              review = review.afterMove();
            }
            if (wider > concurrency) {
              concurrency = wider;
              repeats.restart();
              respread();
              spawn();
            }
          }
          previous = attempt;
        },
      });
      // The expectation of the placement the call ran under, on the zone it ended in: the pool model's, which spreads
      // the cost of finding an instance (rejects, INIT) over the calls it is expected to serve. A call that ran at
      // once on the instance its worker's last call left warm found nothing: it is one of those calls, expected as
      // the call that found it was (not afresh, which would count the finding again at each of them).
      const placed = call.placement?.expected.costUsd ?? 0;
      const [only] = call.attempts;
      const reused =
        call.attempts.length === 1 &&
        only.status === 'ok' &&
        only.newInstance === false &&
        found?.functionName === only.functionName;
      expectedCostUsd += reused && found ? found.costUsd : placed;
      const last = call.attempts.at(-1);
      if (call.status === 'ok' && call.estimate && last) {
        const bill = billOf(last.functionName);
        if (reused) {
          bill.observeReuse(call.estimate.costUsd);
        } else {
          const settles = last.cpu !== undefined && !(call.placement?.rejectCpus ?? []).includes(last.cpu);
          bill.observeFind(call.estimate.costUsd, last, settles);
        }
        weighSearch();
      }
      holds = holdsFirst(call);
      if (id === 0) endProbe('answered');
      // The reject set the probe's call was placed with (`probeUses`), which may be stricter than the batch's.
      if (isProbe && probed && call.placement) probed = { ...probed, rejectCpus: call.placement.rejectCpus };
      if (searchMoved(call)) searchMoves++;
      if (!reused) {
        found = last?.status === 'ok' ? { functionName: last.functionName, costUsd: placed } : undefined;
      }
      options.onCall?.(call);
      if (isRefusedWork(call)) refused ??= call;
      let outcome = outcomeOf(index, call, options.includeResults);
      if (outcome.result !== undefined) {
        const bytes = jsonByteLength(outcome.result);
        if (bytes > resultBudget) {
          // The answer could not carry this result: drop it, and start no more work whose results would be lost.
          const { result: _dropped, ...rest } = outcome;
          outcome = { ...rest, resultOmittedBytes: bytes };
          overBudget = true;
        } else {
          resultBudget -= bytes;
        }
      }
      calls[index] = outcome;
      if (Number.isFinite(leftAtStartMs)) {
        const tookMs = leftAtStartMs - context.remainingMs();
        answered.totalMs += tookMs;
        answered.longestMs = Math.max(answered.longestMs, tookMs);
        answered.calls++;
        guardDeadline();
      }
      // A worker's first call waits for its first instance's INIT, which a batch's duration counts once, apart.
      if (budget && startedAt !== undefined && context.now && answeredOne) {
        const now = context.now();
        budget.observe(now - startedAt);
        guardBudget(now);
      }
      answeredOne = true;
    }
  };
  respread();
  const { now, sleep } = context;
  if (options.probe && now && sleep && Math.min(concurrency, options.count) > 1) {
    probing = { attempts: 0, startedAt: now(), now };
    void watchProbe(options.probe.acceptedAfterMs, sleep);
  }
  spawn();
  // Workers the review adds while the batch runs join the list, so wait on it until it stops growing.
  try {
    for (let i = 0; i < workers.length; i++) await workers[i];
  } finally {
    // A probe whose call threw never ended: its watch stops at its next wake.
    probing = undefined;
  }
  const room = tally?.room();
  const roomOn = room && targets.get(room.functionName);
  if (room && roomOn) options.hostRoom?.learn(room, roomOn.memoryMb);
  // A resumable batch that stopped for the deadline answers the calls it started; `resume` runs the rest.
  const ranOn = (moved?.placement ?? first).target;
  const budgetLeftMs = budget && context.now ? Math.round(budget.leftMs(context.now())) : undefined;
  const resume =
    stopped && !overBudget ? resumeOf(options, next, concurrency, givenConcurrency, ranOn, budgetLeftMs) : undefined;
  if (resume) calls.length = next;
  // Work the function refused is the request's fault: where no call ran it, the answer is that refusal (a 400).
  if (refused && !calls.some((c) => c?.status === 'ok')) return refused;
  let skipped = 0;
  for (let i = 0; i < calls.length; i++) {
    if (calls[i]) continue;
    skipped++;
    calls[i] = {
      index: i,
      status: 'error',
      attempts: 0,
      rejects: 0,
      failovers: 0,
      newInstances: 0,
      addedLatencyMs: 0,
      costUsd: 0,
      carbonG: 0,
      errorType: refused ? refused.error.type : 'ResponseTooLarge',
    };
  }
  const notes = [
    ...(overBudget
      ? [
          `the results outgrew Lambda's ${SYNC_PAYLOAD_LIMIT_BYTES}-byte response limit: the result that did not fit is omitted ` +
            `(resultOmittedBytes) and ${skipped} call(s) were not started (errorType ResponseTooLarge); ` +
            'send smaller results or a batch without includeResults',
        ]
      : []),
    ...(resume ? [resumeNote(resume)] : []),
    ...(refused
      ? [
          `the dynamic function refused the work (${refused.error.type}` +
            `${refused.error.field ? ` in ${refused.error.field}` : ''}: ${refused.error.message}), as it would at ` +
            `every call: ${skipped} call(s) were not started (errorType ${refused.error.type})`,
        ]
      : []),
  ];
  return {
    status: 'batch',
    profile,
    placement: summarize(first),
    summary: {
      ...summarizeCalls(calls, concurrency),
      expectedCostUsd,
      ...retryRepeatsOf(repeats),
      ...(searchMoves > 0 ? { searchMoves } : {}),
      ...(spreadStarts > 0 ? { spreadStarts } : {}),
      ...(searchStopped ? { searchStopped } : {}),
    },
    calls,
    ...(options.pacing
      ? {
          pacing: {
            ...pacingOf(options.pacing, options.review, review, concurrency),
            ...(deadlineWidened ? { deadlineWidened } : {}),
            ...(budgetWidened ? { budgetWidened } : {}),
            ...(probed ? { probe: probed } : {}),
          },
        }
      : {}),
    ...(resume ? { resume } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** The note of an answer with `resume`. */
export function resumeNote(resume: BatchResume): string {
  return (
    `the router's deadline came before the batch ended: ${resume.count} call(s) were not started; ` +
    'send the request again with resume as its batch to run them'
  );
}

/**
 * Room a resumable batch keeps over the longest call it answered (or twice the mean) before it starts another: a call
 * can retry more often than any before it did.
 */
export const RESUME_CALL_MARGIN = 1.25;

/** Calls' time at least that a send of a resumable batch keeps at its end: twice the mean call, with room to spare. */
export const RESUME_RESERVE_CALLS = 2 * RESUME_CALL_MARGIN;

/**
 * How a resumable batch is sent (`Sends`) where each send has `spanMs` of the router's time: in the send under way
 * (`underWay`), `leftMs` of it left and `reserveMs` kept at its end (default: one not started); none where the router
 * has no deadline.
 */
export function sentWithin(
  spanMs: number,
  underWay?: { readonly leftMs: number; readonly reserveMs: number },
): { readonly sends?: Sends } {
  if (!Number.isFinite(spanMs)) return {};
  const first =
    underWay && Number.isFinite(underWay.leftMs)
      ? { firstSpanMs: Math.max(0, underWay.leftMs), firstReserveMs: Math.max(0, underWay.reserveMs) }
      : {};
  return { sends: { spanMs, reserveCalls: RESUME_RESERVE_CALLS, ...first } };
}

/**
 * The `batch` that runs the calls a resumable batch left, from call `started` on: at the pacing it ran at when it
 * stopped (the caller's concurrency once it widened), on the function it ran on (`ranOn`: where its review moved it,
 * if it did), where its workers' instances are warm, and within what is left of its time budget (`budgetLeftMs`, at
 * the end of this send's answered calls). Placed afresh for the calls left, a next send could choose
 * another function and search again from cold instances (`paper-ex5`'s matrix-multiply, paced 8 at a time at 3,538
 * MB, ran two of its later sends, of 27 calls each, at 256 MB, and took 2,714 s against 1,465 s expected).
 */
function resumeOf(
  options: BatchOptions,
  started: number,
  concurrency: number,
  givenConcurrency: number,
  ranOn: Target,
  budgetLeftMs: number | undefined,
): BatchResume {
  const left = options.count - started;
  return {
    count: left,
    concurrency: givenConcurrency,
    // A paced batch's next send keeps its pacing, or runs unpaced once widened, rather than be paced again.
    ...(options.pacing
      ? { pacedConcurrency: Math.min(concurrency, givenConcurrency), maxSlowdown: options.pacing.maxSlowdown }
      : {}),
    ...(budgetLeftMs !== undefined ? { budgetLeftMs, callsStarted: (options.callsStarted ?? 0) + started } : {}),
    target: { azId: ranOn.azId, arch: ranOn.arch, memoryMb: ranOn.memoryMb },
    includeResults: options.includeResults,
    resumable: true,
  };
}

/**
 * The answer's pacing: as chosen, where the review moved it (`first`, the review of the first placement) and where it
 * widened it (`last`, the review of the placement the batch ended on).
 */
function pacingOf(
  pacing: BatchPacing,
  first: PacingReviewer | undefined,
  last: PacingReviewer | undefined,
  concurrency: number,
): BatchPacing {
  const move = first?.moved;
  const atCall = last?.widenedAtCall;
  return {
    ...pacing,
    ...(move ? { moved: movedOf(move) } : {}),
    ...(atCall !== undefined ? { widened: { atCall, concurrency, retryRepeat: last?.repeat ?? 0 } } : {}),
  };
}

function movedOf(move: PacingMove): NonNullable<BatchPacing['moved']> {
  const { functionName, azId, arch, memoryMb } = move.placement.target;
  return { atCall: move.atCall, functionName, azId, arch, memoryMb, retryRepeat: move.retryRepeat };
}

function retryRepeatsOf(repeats: RetryRepeats): Pick<BatchSummary, 'retryRepeats'> {
  const measured = repeats.summary();
  return Object.keys(measured).length > 0 ? { retryRepeats: measured } : {};
}

/** Room kept in a batch answer for its placement and summary, bytes. */
const ANSWER_RESERVE_BYTES = 64 * 1024;
/** Room kept per call for its compact outcome (without a result), bytes. */
const CALL_OUTCOME_BYTES = 400;

/** Whether a call's search went on off its function: a rejected attempt followed by one on another function. */
function searchMoved(call: RoutedCall): boolean {
  const { attempts } = call;
  for (let i = 1; i < attempts.length; i++) {
    if (attempts[i - 1].status === 'rejected' && attempts[i].functionName !== attempts[i - 1].functionName) return true;
  }
  return false;
}

/** `BatchCallOutcome.billedBeforeLastMs`: absent when no attempt before the last was billed a known time. */
function billedBeforeLast(attempts: RoutedCall['attempts']): Pick<BatchCallOutcome, 'billedBeforeLastMs'> {
  const billed = attempts.slice(0, -1).flatMap((a) => (a.billedMs !== undefined ? [a.billedMs] : []));
  return billed.length > 0 ? { billedBeforeLastMs: billed.reduce((sum, ms) => sum + ms, 0) } : {};
}

function outcomeOf(index: number, call: RoutedCall, includeResults: boolean): BatchCallOutcome {
  const attempts = call.attempts;
  const last = attempts.at(-1);
  let failovers = 0;
  for (let i = 1; i < attempts.length; i++) if (attempts[i].azId !== attempts[i - 1].azId) failovers++;
  return {
    index,
    status: call.status,
    ...(last ? { azId: last.azId, functionName: last.functionName } : {}),
    ...(last?.cpu ? { cpu: last.cpu } : {}),
    attempts: attempts.length,
    rejects: attempts.filter((a) => a.status === 'rejected').length,
    failovers,
    newInstances: attempts.filter((a) => a.newInstance === true).length,
    ...(call.estimate?.runtimeMs !== undefined ? { runtimeMs: call.estimate.runtimeMs } : {}),
    addedLatencyMs: attempts.slice(0, -1).reduce((sum, a) => sum + a.roundTripMs, 0),
    ...billedBeforeLast(attempts),
    costUsd: call.estimate?.costUsd ?? 0,
    carbonG: call.estimate?.carbonG ?? 0,
    ...(call.status === 'error' ? { errorType: call.error.type } : {}),
    ...(includeResults && call.status === 'ok' ? { result: call.result } : {}),
  };
}

/** Calls a batch must have answered on the function it searches before its bill is weighed (`weighSearch`). */
export const SEARCH_BILL_EVIDENCE = 100;

/**
 * Standard errors of the finds' mean bill by which a search must cost more than accepting any CPU before a batch stops
 * it (`weighSearch`): a search priced a hair above stops at the first call that tips it, by chance as often as not.
 */
export const SEARCH_BILL_SURE_BY = 2;

/** The summary of a batch's calls, but for what only the batch knows (expectations, repeats, search moves). */
export function summarizeCalls(
  calls: readonly BatchCallOutcome[],
  concurrency: number,
): Omit<BatchSummary, 'expectedCostUsd' | 'retryRepeats' | 'searchMoves' | 'spreadStarts'> {
  let succeeded = 0;
  let costUsd = 0;
  let carbonG = 0;
  let runtimeSum = 0;
  let runtimeCount = 0;
  let attempts = 0;
  let rejects = 0;
  let failovers = 0;
  let newInstances = 0;
  const byFunction: Record<string, number> = {};
  const byCpu: Record<string, number> = {};
  for (const call of calls) {
    if (call.status === 'ok') {
      succeeded++;
      if (call.functionName) byFunction[call.functionName] = (byFunction[call.functionName] ?? 0) + 1;
      if (call.cpu) byCpu[call.cpu] = (byCpu[call.cpu] ?? 0) + 1;
    }
    costUsd += call.costUsd;
    carbonG += call.carbonG;
    if (call.runtimeMs !== undefined) {
      runtimeSum += call.runtimeMs;
      runtimeCount++;
    }
    attempts += call.attempts;
    rejects += call.rejects;
    failovers += call.failovers;
    newInstances += call.newInstances;
  }
  return {
    count: calls.length,
    concurrency,
    succeeded,
    failed: calls.length - succeeded,
    costUsd,
    ...(runtimeCount > 0 ? { meanRuntimeMs: runtimeSum / runtimeCount } : {}),
    attemptsPerRequest: calls.length > 0 ? attempts / calls.length : 0,
    rejects,
    failovers,
    newInstances,
    carbonG,
    byFunction,
    byCpu,
  };
}

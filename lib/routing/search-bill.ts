import type { AttemptRecord } from './types';

/**
 * What a batch's search for accepted CPUs has cost on one function, as billed, told apart the way the pool model
 * prices it: a call that found its instance (`finds`: every call but one run at once on the instance its worker's last
 * call left warm) pays the whole search, and a call run on a found instance (`reuses`) pays one warm run. Compared
 * call for call with a placement's price, a paced batch's first calls, nearly all finds, would look dearer than their
 * placement expected even where the search pays, since the price spreads each search over the calls its instance is
 * to serve; here the search is spread over the calls still to come (`perCallUsd`), like for like.
 */
export class SearchBill {
  private finds = 0;
  private reuses = 0;
  /** Of the finds, those whose last attempt met a CPU the search accepts: their instance serves the worker's next calls. */
  private settled = 0;
  private findUsd = 0;
  /** Sum of the squares of the finds' bills, for the spread of their mean. */
  private findSquaredUsd = 0;
  /** Warm runs on accepted CPUs: every reused call, and the last attempt of a settled find without its INIT. */
  private warmRuns = 0;
  private warmUsd = 0;

  /** Calls told so far. */
  get calls(): number {
    return this.finds + this.reuses;
  }

  /** A call that found its instance: `costUsd` billed for all its attempts, `settled` when its last CPU is accepted. */
  observeFind(costUsd: number, last: AttemptRecord, settled: boolean): void {
    this.finds++;
    this.findUsd += costUsd;
    this.findSquaredUsd += costUsd * costUsd;
    if (!settled) return;
    this.settled++;
    const billedMs = last.billedMs ?? 0;
    const initMs = last.initMs ?? 0;
    if (billedMs > 0) {
      this.warmRuns++;
      this.warmUsd += (last.costUsd * Math.max(0, billedMs - initMs)) / billedMs;
    }
  }

  /** A call that ran at once on the instance its worker's last call found. */
  observeReuse(costUsd: number): void {
    this.reuses++;
    this.warmRuns++;
    this.warmUsd += costUsd;
  }

  /**
   * What a call costs from now on where the workers search as they did, each instance they settle on serving `uses`
   * calls: a find's bill, plus `uses − 1` warm runs after each find that settled, per call those serve. With
   * `standardErrors`, the finds' mean bill is taken that many standard errors lower: a price the bill is that sure the
   * search costs at least. Undefined before any find or warm run was billed.
   */
  perCallUsd(uses: number, standardErrors = 0): number | undefined {
    if (this.finds === 0 || this.warmRuns === 0) return undefined;
    const meanFindUsd = this.findUsd / this.finds;
    const variance = Math.max(0, this.findSquaredUsd / this.finds - meanFindUsd * meanFindUsd);
    const findUsd = meanFindUsd - standardErrors * Math.sqrt(variance / this.finds);
    const settledShare = this.settled / this.finds;
    const later = settledShare * Math.max(0, uses - 1);
    return (findUsd + later * (this.warmUsd / this.warmRuns)) / (1 + later);
  }
}

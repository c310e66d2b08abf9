import { evaluateMask, newMetrics } from '../../lib/core/candidate';
import { expectedRejectModeCost, REJECT_MODES, rejectModeParams } from '../../lib/core/reject-mode';
import { evaluateSchedule } from '../../lib/core/reject-schedule';
import { Router } from '../../lib/core/router';
import { prng } from '../../lib/workloads/prng';
import { candidateOf, evaluationParams, paperView } from './fixtures';

/**
 * A table of the pool model's figures over seeded random candidates, every reject mode, budgets and uses per instance:
 * every reject set's metrics, the reject schedule's, `expectedRejectModeCost`'s, and the router's batch placements.
 * `retry-repeat.test.ts` holds the hash of the table computed before the model knew retry repeats and checks that
 * the model with `retryRepeat` 0 gives the same numbers.
 */
export function poolFigures(): number[] {
  const random = prng(20261201);
  const out: number[] = [];
  const metrics = newMetrics();
  for (let trial = 0; trial < 12; trial++) {
    const n = 2 + Math.floor(random() * 3);
    const shares = Array.from({ length: n }, () => 0.02 + random());
    const total = shares.reduce((a, b) => a + b, 0);
    const runtimes = Array.from({ length: n }, () => 50 + random() * 3000);
    const c = candidateOf(
      shares.map((p) => p / total),
      runtimes,
      { memoryMb: 128 * 2 ** Math.floor(random() * 5) },
    );
    for (const mode of REJECT_MODES) {
      for (const maxAttempts of [1, 3, 10, Number.POSITIVE_INFINITY]) {
        for (const usesPerInstance of [1, 2.5, 40]) {
          const returnShare = mode === 'hold' ? 0.6 : 1;
          const params = evaluationParams({
            ...rejectModeParams(mode, 150, returnShare),
            maxAttempts,
            usesPerInstance,
            coldStartShare: 0.7,
          });
          for (let mask = 1; mask < 1 << n; mask++) {
            evaluateMask(c, mask, 20, params, metrics);
            out.push(metrics.value, metrics.attempts, metrics.runtimeMs, metrics.billedMs, metrics.costUsd);
          }
          if (mode !== 'hold' && Number.isFinite(maxAttempts) && maxAttempts >= 3) {
            const accepts = new Int32Array(maxAttempts);
            evaluateSchedule(c, 20, params, metrics, accepts);
            out.push(metrics.value, metrics.attempts, metrics.runtimeMs, metrics.costUsd, ...accepts);
          }
          const e = expectedRejectModeCost({
            shares: c.shares,
            runtimesMs: c.billedMs,
            reject: c.cpus.map((_, j) => j >= 1),
            holdMs: 150,
            maxAttempts,
            memoryMb: c.memoryMb,
            price: { pricePerGbSecond: 0.0000166667, pricePerRequest: 0.0000002 },
            initBilledMs: 150,
            mode,
            returnShare,
            retryColdShare: 0.8,
          });
          out.push(e.attempts, e.billedMs, e.newInstances, e.runtimeMs, e.costUsd);
        }
      }
    }
  }
  const router = new Router(paperView(), { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
  for (const rejectMode of REJECT_MODES) {
    for (const usesPerInstance of [1, 3, 25]) {
      for (const maxAttempts of [2, 10]) {
        const p = router.place({
          workload: 'zipper',
          objective: 'cost',
          limits: { maxAttempts },
          pool: { rejectMode, usesPerInstance },
        });
        out.push(p.expected.costUsd, p.expected.attempts, p.expected.runtimeMs, p.rejectCpus.length, p.target.memoryMb);
      }
    }
  }
  return out;
}

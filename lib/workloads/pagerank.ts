import { prng, randomInt } from './prng';
import type { Workload } from './types';

export interface PageRankInput {
  readonly seed: number;
  readonly nodes: number;
  /** Out-links per node. */
  readonly outDegree: number;
  readonly iterations: number;
  readonly damping?: number;
}

export interface PageRankOutput {
  readonly nodes: number;
  readonly iterations: number;
  readonly rankSum: number;
  readonly topNode: number;
  readonly topRank: number;
  /** L1 change of the last iteration. */
  readonly lastDelta: number;
}

/** Power iteration on a random directed graph with `outDegree` links per node (no dangling nodes). */
export function pageRank(input: PageRankInput): { rank: Float64Array; lastDelta: number } {
  const { nodes, outDegree, iterations } = input;
  const damping = input.damping ?? 0.85;
  const random = prng(input.seed);
  const links = new Uint32Array(nodes * outDegree);
  for (let i = 0; i < links.length; i++) links[i] = randomInt(random, nodes);
  let rank = new Float64Array(nodes).fill(1 / nodes);
  let next = new Float64Array(nodes);
  let lastDelta = 0;
  for (let it = 0; it < iterations; it++) {
    next.fill((1 - damping) / nodes);
    for (let v = 0; v < nodes; v++) {
      const share = (damping * rank[v]!) / outDegree;
      const base = v * outDegree;
      for (let k = 0; k < outDegree; k++) next[links[base + k]!]! += share;
    }
    lastDelta = 0;
    for (let v = 0; v < nodes; v++) lastDelta += Math.abs(next[v]! - rank[v]!);
    [rank, next] = [next, rank];
  }
  return { rank, lastDelta };
}

/** Table 1: "Generates a graph and computes the PageRank of each node." */
export const pagerank: Workload<PageRankInput, PageRankOutput> = {
  name: 'pagerank',
  vCpus: 1.2,
  description: 'Generates a graph and computes the PageRank of each node.',
  sizes: {
    test: { seed: 3, nodes: 5_000, outDegree: 8, iterations: 20 },
    small: { seed: 3, nodes: 250_000, outDegree: 8, iterations: 30 },
    large: { seed: 3, nodes: 2_000_000, outDegree: 8, iterations: 40 },
  },
  run(input) {
    const { rank, lastDelta } = pageRank(input);
    let rankSum = 0;
    let topNode = 0;
    for (let v = 0; v < rank.length; v++) {
      rankSum += rank[v]!;
      if (rank[v]! > rank[topNode]!) topNode = v;
    }
    return { nodes: input.nodes, iterations: input.iterations, rankSum, topNode, topRank: rank[topNode]!, lastDelta };
  },
  check(output, input) {
    if (Math.abs(output.rankSum - 1) > 1e-6) return `ranks sum to ${output.rankSum}, expected 1`;
    if (!(output.topRank > 1 / input.nodes))
      return `top rank ${output.topRank} is not above the uniform 1/${input.nodes}`;
    if (input.iterations >= 20 && !(output.lastDelta < 1e-3))
      return `did not converge: last change ${output.lastDelta}`;
    return undefined;
  },
};

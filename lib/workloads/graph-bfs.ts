import { adjacency, randomConnectedGraph } from './graph';
import type { GraphInput } from './graph-mst';
import type { Workload } from './types';

export interface BfsOutput {
  readonly nodes: number;
  readonly reached: number;
  readonly depth: number;
  /** Nodes found at each distance from node 0. */
  readonly levels: readonly number[];
}

/** Breadth-first search from `source` over a CSR graph; returns the node count per level. */
export function bfsLevels(nodes: number, offsets: Uint32Array, targets: Uint32Array, source: number): number[] {
  const distance = new Int32Array(nodes).fill(-1);
  const queue = new Uint32Array(nodes);
  let head = 0;
  let tail = 0;
  queue[tail++] = source;
  distance[source] = 0;
  const levels: number[] = [];
  while (head < tail) {
    const v = queue[head++]!;
    const d = distance[v]!;
    levels[d] = (levels[d] ?? 0) + 1;
    for (let i = offsets[v]!; i < offsets[v + 1]!; i++) {
      const w = targets[i]!;
      if (distance[w] === -1) {
        distance[w] = d + 1;
        queue[tail++] = w;
      }
    }
  }
  return levels;
}

/** Table 1: "Generates a graph and performs a breadth-first search." */
export const graphBfs: Workload<GraphInput, BfsOutput> = {
  name: 'graph-bfs',
  vCpus: 1,
  description: 'Generates a graph and performs a breadth-first search.',
  sizes: {
    test: { seed: 11, nodes: 5_000, edges: 20_000 },
    small: { seed: 11, nodes: 520_000, edges: 2_600_000 },
    large: { seed: 11, nodes: 3_000_000, edges: 15_000_000 },
  },
  run(input) {
    const g = randomConnectedGraph(input.seed, input.nodes, input.edges);
    const { offsets, targets } = adjacency(g);
    const levels = bfsLevels(g.nodes, offsets, targets, 0);
    return { nodes: g.nodes, reached: levels.reduce((a, b) => a + b, 0), depth: levels.length - 1, levels };
  },
  check(output, input) {
    if (output.reached !== input.nodes)
      return `BFS reached ${output.reached} of ${input.nodes} nodes of a connected graph`;
    if (output.levels[0] !== 1) return 'level 0 must hold only the source';
    if (output.levels.some((n) => !(n > 0))) return 'a level between 0 and the depth is empty';
    return undefined;
  },
};

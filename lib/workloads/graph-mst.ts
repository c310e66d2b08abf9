import { randomConnectedGraph } from './graph';
import type { Workload } from './types';

export interface GraphInput {
  readonly seed: number;
  readonly nodes: number;
  readonly edges: number;
}

export interface MstOutput {
  readonly nodes: number;
  readonly edges: number;
  readonly treeEdges: number;
  readonly treeWeight: number;
  /** Weight of the generator's spanning path: an upper bound on the MST weight. */
  readonly pathWeight: number;
}

/** Kruskal's algorithm with a union-find (path halving, union by size). */
export function minimumSpanningTree(nodes: number, from: Uint32Array, to: Uint32Array, weight: Float64Array) {
  const order = Uint32Array.from({ length: from.length }, (_, i) => i).sort((a, b) => weight[a]! - weight[b]!);
  const parent = Uint32Array.from({ length: nodes }, (_, i) => i);
  const size = new Uint32Array(nodes).fill(1);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  let treeEdges = 0;
  let treeWeight = 0;
  for (const e of order) {
    let a = find(from[e]!);
    let b = find(to[e]!);
    if (a === b) continue;
    if (size[a]! < size[b]!) [a, b] = [b, a];
    parent[b] = a;
    size[a]! += size[b]!;
    treeEdges++;
    treeWeight += weight[e]!;
    if (treeEdges === nodes - 1) break;
  }
  return { treeEdges, treeWeight };
}

/** Table 1: "Generates a graph and calculates its minimum spanning tree." */
export const graphMst: Workload<GraphInput, MstOutput> = {
  name: 'graph-mst',
  vCpus: 1,
  description: 'Generates a graph and calculates its minimum spanning tree.',
  sizes: {
    test: { seed: 7, nodes: 2_000, edges: 8_000 },
    small: { seed: 7, nodes: 160_000, edges: 800_000 },
    large: { seed: 7, nodes: 1_000_000, edges: 5_000_000 },
  },
  run(input) {
    const g = randomConnectedGraph(input.seed, input.nodes, input.edges);
    let pathWeight = 0;
    for (let e = 0; e < input.nodes - 1; e++) pathWeight += g.weight[e]!;
    const { treeEdges, treeWeight } = minimumSpanningTree(g.nodes, g.from, g.to, g.weight);
    return { nodes: g.nodes, edges: g.from.length, treeEdges, treeWeight, pathWeight };
  },
  check(output, input) {
    if (output.treeEdges !== input.nodes - 1) return `tree has ${output.treeEdges} edges, expected ${input.nodes - 1}`;
    if (!(output.treeWeight > 0 && output.treeWeight <= output.pathWeight + 1e-9)) {
      return `tree weight ${output.treeWeight} is not within (0, ${output.pathWeight}]`;
    }
    return undefined;
  },
};

import { prng, randomInt } from './prng';

/** An undirected weighted graph as edge arrays. */
export interface EdgeList {
  readonly nodes: number;
  readonly from: Uint32Array;
  readonly to: Uint32Array;
  readonly weight: Float64Array;
}

/**
 * A random connected graph: a random spanning path first (so every node is reachable), then
 * `edges - (nodes - 1)` uniformly random extra edges with weights in [0, 1).
 */
export function randomConnectedGraph(seed: number, nodes: number, edges: number): EdgeList {
  const random = prng(seed);
  const total = Math.max(edges, nodes - 1);
  const from = new Uint32Array(total);
  const to = new Uint32Array(total);
  const weight = new Float64Array(total);
  const order = Uint32Array.from({ length: nodes }, (_, i) => i);
  for (let i = nodes - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  let e = 0;
  for (let i = 1; i < nodes; i++, e++) {
    from[e] = order[i - 1]!;
    to[e] = order[i]!;
    weight[e] = random();
  }
  for (; e < total; e++) {
    from[e] = randomInt(random, nodes);
    to[e] = randomInt(random, nodes);
    weight[e] = random();
  }
  return { nodes, from, to, weight };
}

/** Compressed adjacency (CSR) of an undirected edge list. */
export function adjacency(graph: EdgeList): { offsets: Uint32Array; targets: Uint32Array } {
  const degree = new Uint32Array(graph.nodes + 1);
  for (let e = 0; e < graph.from.length; e++) {
    degree[graph.from[e]! + 1]++;
    degree[graph.to[e]! + 1]++;
  }
  for (let i = 0; i < graph.nodes; i++) degree[i + 1] += degree[i]!;
  const offsets = degree.slice();
  const fill = degree.slice(0, graph.nodes);
  const targets = new Uint32Array(graph.from.length * 2);
  for (let e = 0; e < graph.from.length; e++) {
    const a = graph.from[e]!;
    const b = graph.to[e]!;
    targets[fill[a]++] = b;
    targets[fill[b]++] = a;
  }
  return { offsets, targets };
}

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { createDynamicHandler } from '../../lambda/dynamic/handler';
import type { DynamicResponse } from '../../lib/contracts';
import { diskWriteAndProcess, wordCount } from '../../lib/workloads/disk-write-and-process';
import { adjacency, randomConnectedGraph } from '../../lib/workloads/graph';
import { bfsLevels } from '../../lib/workloads/graph-bfs';
import { graphMst, type MstOutput } from '../../lib/workloads/graph-mst';
import { WORKLOAD_NAMES, WORKLOADS } from '../../lib/workloads/index';
import { flatten, jsonFlattener } from '../../lib/workloads/json-flattener';
import { pageRank } from '../../lib/workloads/pagerank';
import { prng, randomTextBytes } from '../../lib/workloads/prng';
import { sha1Hash } from '../../lib/workloads/sha1-hash';
import { boxScale, randomBitmap, type ThumbnailerOutput, thumbnailer } from '../../lib/workloads/thumbnailer';
import type { UserContext } from '../../lib/workloads/types';
import { zipper } from '../../lib/workloads/zipper';
import { FakePlatform, realTmp } from './helpers/fake-platform';

const TABLE_1 = [
  'graph-mst',
  'graph-bfs',
  'pagerank',
  'disk-writer',
  'disk-write-and-process',
  'zipper',
  'thumbnailer',
  'sha1-hash',
  'json-flattener',
  'math-service',
  'matrix-multiply',
  'logistic-regression',
];

function context(tmpDir = realTmp('sky-wl-')): UserContext {
  return {
    tmpDir,
    remainingMs: () => 60_000,
    instance: {
      instanceId: 'i',
      newInstance: true,
      cpuKey: 'intel-xeon-2.50',
      cpuModel: 'x',
      arch: 'x86_64',
      cores: 2,
    },
  };
}

describe('the 12 workloads of Table 1', () => {
  it('are all registered under their kebab-case names with Table 1 vCPUs', () => {
    expect(WORKLOAD_NAMES).toEqual(TABLE_1);
    expect(TABLE_1.map((n) => WORKLOADS[n]!.vCpus)).toEqual([1, 1, 1.2, 1, 1, 2, 1, 1, 1, 2, 2, 2]);
  });

  const tmpDir = realTmp('sky-wl-handler-');
  const handler = createDynamicHandler({ platform: new FakePlatform({ tmpDir }) });
  it.each(TABLE_1)('%s runs at test size through the dynamic function and passes its output check', async (name) => {
    const answer = (await handler({ workload: { name, size: 'test' } })) as DynamicResponse;
    if (answer.status !== 'ok') throw new Error(JSON.stringify(answer));
    expect(WORKLOADS[name]!.check(answer.result as never, WORKLOADS[name]!.sizes.test)).toBeUndefined();
    // Scratch files are cleaned up (only the instance marker stays).
    expect(readdirSync(tmpDir).filter((f) => !f.startsWith('.sky-'))).toEqual([]);
  });

  it('answers OutputCheckFailed when a check fails', async () => {
    const broken = {
      ...graphMst,
      name: 'broken',
      run: () => ({ nodes: 1, edges: 0, treeEdges: 5, treeWeight: 1, pathWeight: 1 }),
    };
    const h = createDynamicHandler({
      platform: new FakePlatform({ tmpDir: realTmp() }),
      workloads: { broken } as never,
    });
    const answer = await h({ workload: { name: 'broken', size: 'test' } });
    expect(answer).toMatchObject({ status: 'error', error: { type: 'OutputCheckFailed' } });
  });

  it('accepts an explicit input instead of a size', async () => {
    const answer = await handler({ workload: { name: 'sha1-hash' }, input: { seed: 2, length: 100, rounds: 1 } });
    expect(answer).toMatchObject({ status: 'ok', result: { rounds: 1, length: 100 } });
  });
});

describe('workload outputs agree with independent computations', () => {
  it('graph-mst: Kruskal equals a simple Prim on the same graph', () => {
    const input = graphMst.sizes.test;
    const out = graphMst.run(input, context()) as MstOutput;
    const g = randomConnectedGraph(input.seed, input.nodes, input.edges);
    const best = new Float64Array(g.nodes).fill(Number.POSITIVE_INFINITY);
    const inTree = new Uint8Array(g.nodes);
    const adj: Array<Array<[number, number]>> = Array.from({ length: g.nodes }, () => []);
    for (let e = 0; e < g.from.length; e++) {
      adj[g.from[e]!]!.push([g.to[e]!, g.weight[e]!]);
      adj[g.to[e]!]!.push([g.from[e]!, g.weight[e]!]);
    }
    best[0] = 0;
    let total = 0;
    for (let k = 0; k < g.nodes; k++) {
      let v = -1;
      for (let i = 0; i < g.nodes; i++) if (!inTree[i] && (v < 0 || best[i]! < best[v]!)) v = i;
      inTree[v] = 1;
      total += best[v]!;
      for (const [w, weight] of adj[v]!) if (!inTree[w] && weight < best[w]!) best[w] = weight;
    }
    expect(out.treeWeight).toBeCloseTo(total, 9);
    expect(graphMst.check({ ...out, treeEdges: 3 }, input)).toMatch(/edges/);
  });

  it('graph-bfs: levels match a BFS over adjacency sets', () => {
    const g = randomConnectedGraph(4, 300, 900);
    const { offsets, targets } = adjacency(g);
    const levels = bfsLevels(g.nodes, offsets, targets, 0);
    const neighbours = Array.from({ length: g.nodes }, () => new Set<number>());
    for (let e = 0; e < g.from.length; e++) {
      neighbours[g.from[e]!]!.add(g.to[e]!);
      neighbours[g.to[e]!]!.add(g.from[e]!);
    }
    const seen = new Set([0]);
    let frontier = [0];
    const expected: number[] = [];
    while (frontier.length > 0) {
      expected.push(frontier.length);
      const next: number[] = [];
      for (const v of frontier)
        for (const w of neighbours[v]!)
          if (!seen.has(w)) {
            seen.add(w);
            next.push(w);
          }
      frontier = next;
    }
    expect(levels).toEqual(expected);
  });

  it('pagerank: matches a dense power iteration on a small graph', () => {
    const input = { seed: 8, nodes: 40, outDegree: 3, iterations: 50 };
    const { rank } = pageRank(input);
    const random = prng(input.seed);
    const links = Array.from({ length: input.nodes * input.outDegree }, () => Math.floor(random() * input.nodes));
    let r = Array(input.nodes).fill(1 / input.nodes);
    for (let it = 0; it < 50; it++) {
      const next = Array(input.nodes).fill(0.15 / input.nodes);
      for (const [k, to] of links.entries()) next[to] += (0.85 * r[Math.floor(k / input.outDegree)]) / input.outDegree;
      r = next;
    }
    for (const [i, v] of r.entries()) expect(rank[i]).toBeCloseTo(v, 12);
  });

  it('disk-write-and-process: wc and sha1sum agree with the system tools', () => {
    const input = diskWriteAndProcess.sizes.test;
    const out = diskWriteAndProcess.run(input, context()) as {
      lines: number;
      words: number;
      bytes: number;
      sha1: string;
    };
    const file = join(realTmp(), 'text.txt');
    writeFileSync(file, randomTextBytes(prng(input.seed), input.bytes));
    const [lines, words, bytes] = execFileSync('wc', [file], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    expect({ lines: out.lines, words: out.words, bytes: out.bytes }).toEqual({ lines, words, bytes });
    expect(out.sha1).toBe(execFileSync('sha1sum', [file], { encoding: 'utf8' }).split(' ')[0]);
    expect(wordCount(Buffer.from(' a  bc\n d\n'))).toEqual({ lines: 2, words: 3, bytes: 10 });
  });

  it('sha1-hash: one round equals sha1sum of the text', () => {
    const input = { seed: 3, length: 5000, rounds: 1 };
    const out = sha1Hash.run(input, context()) as { digest: string };
    const file = join(realTmp(), 'text.txt');
    writeFileSync(file, randomTextBytes(prng(3), 5000));
    expect(out.digest).toBe(execFileSync('sha1sum', [file], { encoding: 'utf8' }).split(' ')[0]);
  });

  it('zipper: the archives are valid ZIP files holding the generated files', async () => {
    const input = { ...zipper.sizes.test, keep: true };
    const out = await zipper.run(input, context());
    const random = prng(input.seed);
    const expected = Array.from({ length: input.files }, () => randomTextBytes(random, input.fileBytes));
    const found = new Map<string, Buffer>();
    for (const path of out.paths ?? []) {
      const zip = readFileSync(path);
      const end = zip.length - 22;
      expect(zip.readUInt32LE(end)).toBe(0x06054b50);
      let at = zip.readUInt32LE(end + 16);
      for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
        expect(zip.readUInt32LE(at)).toBe(0x02014b50);
        const size = zip.readUInt32LE(at + 20);
        const nameLength = zip.readUInt16LE(at + 28);
        const local = zip.readUInt32LE(at + 42);
        const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
        expect(zip.readUInt32LE(local)).toBe(0x04034b50);
        const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const data = inflateRawSync(zip.subarray(dataStart, dataStart + size));
        expect(crc32(data)).toBe(zip.readUInt32LE(at + 16));
        found.set(name, data);
        at += 46 + nameLength;
      }
    }
    expect(found.size).toBe(input.files);
    for (const [i, data] of expected.entries()) {
      expect(found.get(`file-${String(i).padStart(4, '0')}.txt`)?.equals(data)).toBe(true);
    }
  });

  it('thumbnailer: a box-filtered pixel is the rounded mean of its block', () => {
    const pixels = randomBitmap(1, 8, 4);
    const small = boxScale(pixels, 8, 4, 2);
    for (let channel = 0; channel < 3; channel++) {
      const block = [0, 1, 8, 9].map((p) => pixels[p * 3 + channel]!);
      expect(small[channel]).toBe(Math.round(block.reduce((a, b) => a + b, 0) / 4));
    }
    const out = thumbnailer.run(thumbnailer.sizes.test, context()) as ThumbnailerOutput;
    expect(thumbnailer.check({ ...out, sourceMean: out.sourceMean + 5 }, thumbnailer.sizes.test)).toMatch(/mean/);
  });

  it('json-flattener: flattens nested objects and arrays to dotted keys', () => {
    expect(flatten({ a: { b: [1, { c: null }] }, d: 'x', e: [] })).toEqual([
      ['a.b.0', 1],
      ['a.b.1.c', null],
      ['d', 'x'],
      ['e', []],
    ]);
    const out = jsonFlattener.run(jsonFlattener.sizes.test, context()) as { pairs: number };
    expect(out.pairs).toBe(5 ** 4);
  });
});

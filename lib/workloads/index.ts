import { diskWriteAndProcess } from './disk-write-and-process';
import { diskWriter } from './disk-writer';
import { graphBfs } from './graph-bfs';
import { graphMst } from './graph-mst';
import { jsonFlattener } from './json-flattener';
import { logisticRegression } from './logistic-regression';
import { mathService } from './math-service';
import { matrixMultiply } from './matrix-multiply';
import { pagerank } from './pagerank';
import { sha1Hash } from './sha1-hash';
import { thumbnailer } from './thumbnailer';
import type { Workload } from './types';
import { zipper } from './zipper';

export type { UserContext, Workload } from './types';

/** The 12 functions of the paper's Table 1, in its order. */
export const WORKLOAD_LIST: readonly Workload[] = [
  graphMst,
  graphBfs,
  pagerank,
  diskWriter,
  diskWriteAndProcess,
  zipper,
  thumbnailer,
  sha1Hash,
  jsonFlattener,
  mathService,
  matrixMultiply,
  logisticRegression,
] as readonly Workload[] as Workload[];

/** The workloads by kebab-case name (`graph-mst`, ..., `logistic-regression`). */
export const WORKLOADS: Readonly<Record<string, Workload>> = Object.freeze(
  Object.fromEntries(WORKLOAD_LIST.map((w) => [w.name, w])),
);

/** The names, in Table 1 order. */
export const WORKLOAD_NAMES: readonly string[] = WORKLOAD_LIST.map((w) => w.name);

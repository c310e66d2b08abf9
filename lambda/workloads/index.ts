import { sha1Hash } from './sha1-hash';
import type { Workload } from './types';

export type { UserContext, Workload } from './types';

/** The paper's Table 1 functions by kebab-case name. */
export const WORKLOADS: Readonly<Record<string, Workload>> = Object.freeze(
  Object.fromEntries([sha1Hash].map((w) => [w.name, w as Workload])),
);

import type { Arch } from '../core/types';

/**
 * The single DynamoDB table's key schema (DESIGN.md, "Data model"). Constants only, so the
 * CDK stacks that create the table and the store that reads it cannot drift apart.
 */
export const TABLE_SCHEMA = {
  /** Default physical table name, in the home region. */
  defaultTableName: 'skymesh',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds after which DynamoDB may delete the item (polls, and dated passive counts past their window). */
  ttlAttribute: 'expiresAt',
  /** Index to read every zone's `LATEST` (or every profile entry) in one query. */
  typeIndex: { name: 'byType', partitionKey: 'type', sortKey: 'pk' },
} as const;

/** Values of the `type` attribute that the type index partitions on. */
export const ITEM_TYPES = {
  latest: 'LATEST',
  characterization: 'CHAR',
  run: 'RUN',
  poll: 'POLL',
  profile: 'PROFILE',
  passive: 'PASSIVE',
  functionHosts: 'FNHOSTS',
  init: 'INIT',
  parallelism: 'THREADS',
} as const;

/**
 * Sort-key prefix of a zone's characterizations of one architecture: none for x86_64 (the records written
 * before arm64 fleets were sampled keep their keys), `ARCH#<arch>#` for the others, so that a zone's x86_64
 * history (`CHAR#…`) and each other architecture's (`ARCH#arm64#CHAR#…`) are read apart by prefix.
 */
function archPrefix(arch: Arch): string {
  return arch === 'x86_64' ? '' : `ARCH#${arch}#`;
}

export const keys = {
  zone: (azId: string) => `ZONE#${azId}`,
  /** A characterization in the zone's history of one architecture (x86_64: `CHAR#<time>`). */
  characterization: (isoTime: string, arch: Arch = 'x86_64') => `${archPrefix(arch)}CHAR#${isoTime}`,
  /** Where a zone's history of one architecture's characterizations begins. */
  characterizationPrefix: (arch: Arch = 'x86_64') => `${archPrefix(arch)}CHAR#`,
  /** The zone's x86_64 `LATEST`; `latestOf` names every architecture's. */
  latest: 'LATEST',
  /** The `LATEST` characterization of one architecture: `LATEST` (x86_64), `ARCH#arm64#LATEST`. */
  latestOf: (arch: Arch = 'x86_64') => `${archPrefix(arch)}LATEST`,
  /** A zone's passive counts written before they were dated (read, never written any more). */
  passive: 'PASSIVE',
  /** A zone's passive counts of one UTC day (`PASSIVE#2026-11-30`). */
  passiveDay: (ms: number) => `PASSIVE#${new Date(ms).toISOString().slice(0, 10)}`,
  /** The hosts one dynamic function's new instances met in one UTC day (`FNHOSTS#sky-use1-az1-x86_64-128#2026-11-30`). */
  functionHostsDay: (functionName: string, ms: number) =>
    `FNHOSTS#${functionName}#${new Date(ms).toISOString().slice(0, 10)}`,
  /** The partition of the INIT reports of the dynamic functions' new instances (one item per UTC day). */
  init: 'INIT',
  /** The INIT reports of one UTC day (`DAY#2026-11-30`). */
  initDay: (ms: number) => `DAY#${new Date(ms).toISOString().slice(0, 10)}`,
  run: (runId: string) => `RUN#${runId}`,
  runMeta: 'META',
  poll: (index: number) => `POLL#${String(index).padStart(4, '0')}`,
  profile: (workload: string) => `PROFILE#${workload}`,
  profileEntry: (cpu: string, arch: string, memoryMb: number) => `CPU#${cpu}#${arch}#${memoryMb}`,
  /** The partition of the threads each profile's requests last said (one item per profile, keyed `profile(workload)`). */
  parallelism: 'THREADS',
  /** A workload's exploration leases (one item per function × CPU; no `type`, so no index holds them). */
  explorationLeases: (workload: string) => `LEASE#${workload}`,
  explorationLease: (functionName: string, cpu: string) => `EXPLORE#${functionName}#${cpu}`,
} as const;

import type { PlacementLimits, PlacementRequest } from './types';

/**
 * Identity of a placement request for the placement cache: a FNV-1a hash (kept to 30 bits) over every field
 * that shapes a placement, and an exact comparison to rule out collisions. Both walk the request
 * without allocating, so a cache hit allocates nothing.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mixString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return Math.imul(h ^ 0xff, FNV_PRIME);
}

function mixNumber(h: number, x: number | undefined): number {
  if (x === undefined) return Math.imul(h ^ 0xfe, FNV_PRIME);
  const v = Number.isFinite(x) ? Math.round(x * 1024) : x > 0 ? 0x7fffffff : -0x7fffffff;
  h = Math.imul(h ^ (v & 0xffff), FNV_PRIME);
  return Math.imul(h ^ ((v / 65536) & 0xffff), FNV_PRIME);
}

function mixStrings(h: number, list: readonly string[] | undefined): number {
  if (list === undefined) return Math.imul(h ^ 0xfd, FNV_PRIME);
  for (let i = 0; i < list.length; i++) h = mixString(h, list[i]);
  return Math.imul(h ^ list.length, FNV_PRIME);
}

/** Hash of a request. */
export function hashRequest(request: PlacementRequest): number {
  let h = mixString(FNV_OFFSET, request.workload);
  h = mixString(h, request.strategy ?? '');
  const objective = request.objective;
  if (typeof objective === 'object' && objective !== null) {
    h = mixNumber(h, objective.cost);
    h = mixNumber(h, objective.latency);
    h = mixNumber(h, objective.carbon);
  } else {
    h = mixString(h, objective ?? '');
  }
  h = mixNumber(h, request.minMemoryMb);
  h = mixString(h, request.pool?.rejectMode ?? '');
  h = mixNumber(h, request.pool?.usesPerInstance);
  h = mixNumber(h, request.pool?.searchUses);
  h = mixNumber(h, request.pool?.retryRepeat);
  h = mixNumber(h, request.callsToCome);
  const limits = request.limits;
  if (limits) {
    h = mixStrings(h, limits.regions);
    h = mixStrings(h, limits.zones);
    h = mixStrings(h, limits.architectures);
    if (limits.memorySizes) for (let i = 0; i < limits.memorySizes.length; i++) h = mixNumber(h, limits.memorySizes[i]);
    h = mixNumber(h, limits.maxAttempts);
    h = mixNumber(h, limits.maxAddedLatencyMs);
    h = mixNumber(h, limits.clientLocation?.lat);
    h = mixNumber(h, limits.clientLocation?.lon);
    h = mixNumber(h, limits.timeoutMs);
  }
  // 30 bits: always a small integer, so the cache lookup never boxes the key.
  return h & 0x3fffffff;
}

function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameLimits(a: PlacementLimits | undefined, b: PlacementLimits | undefined): boolean {
  if (a === b) return true;
  const x = a ?? {};
  const y = b ?? {};
  return (
    sameList(x.regions, y.regions) &&
    sameList(x.zones, y.zones) &&
    sameList(x.architectures, y.architectures) &&
    sameList(x.memorySizes, y.memorySizes) &&
    x.maxAttempts === y.maxAttempts &&
    x.maxAddedLatencyMs === y.maxAddedLatencyMs &&
    x.clientLocation?.lat === y.clientLocation?.lat &&
    x.clientLocation?.lon === y.clientLocation?.lon &&
    x.timeoutMs === y.timeoutMs
  );
}

/** Whether two requests ask for the same placement. */
export function sameRequest(a: PlacementRequest, b: PlacementRequest): boolean {
  if (a.workload !== b.workload || a.strategy !== b.strategy || a.minMemoryMb !== b.minMemoryMb) return false;
  if (a.pool?.rejectMode !== b.pool?.rejectMode || a.pool?.usesPerInstance !== b.pool?.usesPerInstance) return false;
  if (a.pool?.searchUses !== b.pool?.searchUses) return false;
  if (a.pool?.retryRepeat !== b.pool?.retryRepeat || a.callsToCome !== b.callsToCome) return false;
  const x = a.objective;
  const y = b.objective;
  if (typeof x === 'object' && typeof y === 'object') {
    if (x.cost !== y.cost || x.latency !== y.latency || x.carbon !== y.carbon) return false;
  } else if (x !== y) {
    return false;
  }
  return sameLimits(a.limits, b.limits);
}

/** A deep copy of the fields `sameRequest` reads, so later changes to the caller's object do not alias the cache. */
export function copyRequest(request: PlacementRequest): PlacementRequest {
  const limits = request.limits;
  return {
    workload: request.workload,
    strategy: request.strategy,
    minMemoryMb: request.minMemoryMb,
    callsToCome: request.callsToCome,
    pool: request.pool ? { ...request.pool } : undefined,
    objective: typeof request.objective === 'object' ? { ...request.objective } : request.objective,
    limits: limits
      ? {
          regions: limits.regions ? [...limits.regions] : undefined,
          zones: limits.zones ? [...limits.zones] : undefined,
          architectures: limits.architectures ? [...limits.architectures] : undefined,
          memorySizes: limits.memorySizes ? [...limits.memorySizes] : undefined,
          maxAttempts: limits.maxAttempts,
          maxAddedLatencyMs: limits.maxAddedLatencyMs,
          clientLocation: limits.clientLocation ? { ...limits.clientLocation } : undefined,
          timeoutMs: limits.timeoutMs,
        }
      : undefined,
  };
}

import type { Duration } from 'aws-cdk-lib';
import { LAMBDA_MAX_TIMEOUT_MS, LAMBDA_MEMORY_MB, SAMPLING_SETTING_RULES, topSamplerMemoryMb } from '../contracts';
import { MeshPropsError } from './errors';

/** Throws unless every size is a whole number of MB within Lambda's range, each given once. */
export function validateMemorySizes(prop: string, sizes: readonly number[]): void {
  if (sizes.length === 0) throw new MeshPropsError(prop, sizes, 'at least one memory size');
  for (const mb of sizes) {
    if (!Number.isInteger(mb) || mb < LAMBDA_MEMORY_MB.min || mb > LAMBDA_MEMORY_MB.max) {
      throw new MeshPropsError(prop, mb, `whole MB from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max}`);
    }
  }
  if (new Set(sizes).size !== sizes.length) throw new MeshPropsError(prop, sizes, 'each memory size once');
}

/** Throws unless `count` samplers from `baseMemory` MB (sampler i gets baseMemory + i) all fit Lambda's range. */
export function validateSamplers(count: number, baseMemory: number): void {
  const counts = SAMPLING_SETTING_RULES.samplersPerZone;
  if (!counts.schema.safeParse(count).success) throw new MeshPropsError('samplersPerZone', count, counts.allowed);
  const top = topSamplerMemoryMb({ samplersPerZone: count, samplerMemoryMb: baseMemory });
  if (!Number.isInteger(baseMemory) || baseMemory < LAMBDA_MEMORY_MB.min || top > LAMBDA_MEMORY_MB.max) {
    throw new MeshPropsError(
      'samplerMemoryMb',
      baseMemory,
      `whole MB ≥ ${LAMBDA_MEMORY_MB.min} with samplerMemoryMb + samplersPerZone - 1 ≤ ${LAMBDA_MEMORY_MB.max} (here ${top})`,
    );
  }
}

/** Throws unless `architectures` is a non-empty subset of Lambda's, each given once. */
export function validateArchitectures(architectures: readonly string[]): void {
  const allowed = new Set(['x86_64', 'arm64']);
  if (architectures.length === 0 || architectures.some((a) => !allowed.has(a))) {
    throw new MeshPropsError('architectures', architectures, 'a non-empty subset of x86_64, arm64');
  }
  if (new Set(architectures).size !== architectures.length) {
    throw new MeshPropsError('architectures', architectures, 'each architecture once');
  }
}

/**
 * Throws unless a function timeout is a whole number of seconds from 1 to Lambda's 900 (an unresolved token is left
 * to CloudFormation).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
 */
export function validateFunctionTimeout(prop: string, timeout: Duration): void {
  if (timeout.isUnresolved()) return;
  const ms = timeout.toMilliseconds();
  if (!(ms >= 1000 && ms <= LAMBDA_MAX_TIMEOUT_MS && ms % 1000 === 0)) {
    throw new MeshPropsError(prop, `${ms / 1000} s`, `whole seconds from 1 to ${LAMBDA_MAX_TIMEOUT_MS / 1000}`);
  }
}

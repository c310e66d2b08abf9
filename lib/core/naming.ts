import type { Arch } from './types';

/**
 * Deterministic resource names, so the router needs no registry (DESIGN.md, "Naming and identity").
 * Lambda allows 64 characters; the longest AZ ID (`apse2-az3`, 9 characters) keeps every name under 32.
 */

export const LAMBDA_NAME_LIMIT = 64;

/**
 * The deterministic name of a zone's dynamic function, `sky-<azId>-<arch>-<memoryMb>`.
 * @example dynamicFunctionName('usw1-az1', 'arm64', 2048); // 'sky-usw1-az1-arm64-2048'
 */
export function dynamicFunctionName(azId: string, arch: Arch, memoryMb: number): string {
  return `sky-${azId}-${arch}-${memoryMb}`;
}

/**
 * `sky-smp-<azId>-<nn>` for an x86_64 sampler, e.g. `sky-smp-usw1-az1-07`, and `sky-smp-<arch>-<azId>-<nn>`
 * for another architecture's (`sky-smp-arm64-usw1-az1-07`): two digits up to 100 samplers, three beyond. The
 * architecture comes before the zone, because a provider zone's ID may itself end in `-arm64`.
 */
export function samplerFunctionName(azId: string, index: number, samplersPerZone = 100, arch: Arch = 'x86_64'): string {
  const width = samplersPerZone > 100 ? 3 : 2;
  return `sky-smp-${arch === 'x86_64' ? '' : `${arch}-`}${azId}-${String(index).padStart(width, '0')}`;
}

/** The fan-out tree's function in a zone's sampler stack. */
export function fanoutFunctionName(azId: string): string {
  return `sky-fan-${azId}`;
}

/** The sampling steps' function (start, record, decide, finalize, fail) in a zone's sampler stack. */
export function samplingStepsFunctionName(azId: string): string {
  return `sky-steps-${azId}`;
}

/** The sampling state machine of a zone's fleet of one architecture: `sky-sampling-<azId>` (x86_64), `sky-sampling-<azId>-arm64`. */
export function samplingStateMachineName(azId: string, arch: Arch = 'x86_64'): string {
  return `sky-sampling-${azId}${arch === 'x86_64' ? '' : `-${arch}`}`;
}

/** The router function in the control stack. */
export const ROUTER_FUNCTION_NAME = 'sky-router';

export type ParsedFunctionName =
  | { readonly kind: 'dynamic'; readonly azId: string; readonly arch: Arch; readonly memoryMb: number }
  | { readonly kind: 'sampler'; readonly azId: string; readonly index: number; readonly arch: Arch }
  | { readonly kind: 'fanout'; readonly azId: string }
  | { readonly kind: 'steps'; readonly azId: string }
  | { readonly kind: 'router' };

/**
 * A zone: an AWS AZ ID (`usw1-az1`), or another provider's `<prefix>-<region>` (`ibm-us-south`,
 * `do-tor1`, `ext-<name>` for an endpoint a user runs; see `PROVIDER_ZONE_PREFIXES`).
 */
const AZ_ID = '([a-z]{2,5}\\d-az\\d+|(?:ibm|do|ext)-[a-z0-9]+(?:-[a-z0-9]+)*)';

/** The zone-ID prefix of each provider other than AWS. */
export const PROVIDER_ZONE_PREFIXES = { 'ibm-code-engine': 'ibm', digitalocean: 'do', https: 'ext' } as const;

/** A provider other than AWS Lambda. */
export type ExternalProvider = keyof typeof PROVIDER_ZONE_PREFIXES;

/** Zone ID of a provider's region: `ibm-us-south`, `do-tor1`, `ext-lab`. */
export function providerZoneId(provider: ExternalProvider, region: string): string {
  return `${PROVIDER_ZONE_PREFIXES[provider]}-${region}`;
}

/** The provider a zone ID belongs to: `aws` for an AZ ID, else the provider its prefix names. */
export function providerOfZone(azId: string): ExternalProvider | 'aws' {
  for (const [provider, prefix] of Object.entries(PROVIDER_ZONE_PREFIXES)) {
    if (azId.startsWith(`${prefix}-`)) return provider as ExternalProvider;
  }
  return 'aws';
}
const PATTERNS: ReadonlyArray<[RegExp, (m: RegExpMatchArray) => ParsedFunctionName]> = [
  [
    new RegExp(`^sky-${AZ_ID}-(x86_64|arm64)-(\\d+)$`),
    (m) => ({ kind: 'dynamic', azId: m[1], arch: m[2] as Arch, memoryMb: Number(m[3]) }),
  ],
  [
    new RegExp(`^sky-smp-(?:(arm64)-)?${AZ_ID}-(\\d{2,3})$`),
    (m) => ({ kind: 'sampler', azId: m[2], index: Number(m[3]), arch: (m[1] as Arch | undefined) ?? 'x86_64' }),
  ],
  [new RegExp(`^sky-fan-${AZ_ID}$`), (m) => ({ kind: 'fanout', azId: m[1] })],
  [new RegExp(`^sky-steps-${AZ_ID}$`), (m) => ({ kind: 'steps', azId: m[1] })],
  [/^sky-router$/, () => ({ kind: 'router' })],
];

/**
 * Reads a skymesh function name, or a Lambda ARN ending in one (`arn:aws:lambda:…:function:NAME[:qualifier]`).
 * Returns undefined for names skymesh does not deploy.
 * @example parseFunctionName('sky-usw1-az1-arm64-2048'); // { kind: 'dynamic', azId: 'usw1-az1', arch: 'arm64', memoryMb: 2048 }
 */
export function parseFunctionName(nameOrArn: string): ParsedFunctionName | undefined {
  const arnMatch = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(nameOrArn);
  const name = arnMatch ? arnMatch[1] : nameOrArn;
  for (const [pattern, build] of PATTERNS) {
    const m = name.match(pattern);
    if (m) return build(m);
  }
  return undefined;
}

import type { Arch, Characterization, CpuKey } from './types';

/**
 * Normalizes a CPU as /proc/cpuinfo reports it to a short stable key.
 * x86: `Intel(R) Xeon(R) Processor @ 2.50GHz` -> `intel-xeon-2.50`, `AMD EPYC` -> `amd-epyc`,
 * `AMD EPYC 7R13 Processor` -> `amd-epyc-7r13`. arm64 kernels print no model name, only the
 * `CPU part`: 0xd0c Neoverse N1 (Graviton2), 0xd40 Neoverse V1 (Graviton3), 0xd4f Neoverse V2 (Graviton4).
 * @example cpuKeyOf('Intel(R) Xeon(R) Processor @ 2.50GHz'); // 'intel-xeon-2.50'
 */
export function cpuKeyOf(modelOrCpuinfo: string): CpuKey {
  const model = modelOrCpuinfo.trim();
  const part = /CPU part\s*:\s*(0x[0-9a-f]+)/i.exec(model)?.[1]?.toLowerCase();
  if (part) return ARM_PARTS[part] ?? `arm-${part}`;
  const lower = model.toLowerCase();
  const ghz = /@\s*([\d.]+)\s*ghz/.exec(lower)?.[1];
  if (lower.includes('xeon')) return ghz ? `intel-xeon-${Number(ghz).toFixed(2)}` : 'intel-xeon';
  if (lower.includes('epyc')) {
    const sku = /epyc\s+([0-9][0-9a-z]{2,})/.exec(lower)?.[1];
    return sku ? `amd-epyc-${sku}` : 'amd-epyc';
  }
  if (lower.startsWith('graviton') || lower.startsWith('arm-')) return lower;
  const slug = lower
    .replace(/\((r|tm)\)/g, '')
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.length > 0 ? slug.slice(0, 48) : 'unknown';
}

const ARM_PARTS: Readonly<Record<string, CpuKey>> = {
  '0xd0c': 'graviton2',
  '0xd40': 'graviton3',
  '0xd4f': 'graviton4',
};

/** The architecture a CPU key belongs to. */
export function archOfCpu(cpu: CpuKey): Arch {
  return cpu.startsWith('graviton') || cpu.startsWith('arm-') ? 'arm64' : 'x86_64';
}

/** The architecture of the fleet a characterization measured (absent: x86_64). */
export function characterizationArch(zone: Pick<Characterization, 'arch'>): Arch {
  return zone.arch ?? 'x86_64';
}

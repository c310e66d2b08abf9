/** Number and text formatting shared by the HTML page and the terminal summary. */

/** `0.1234` -> `$0.1234`; small amounts keep 4 significant decimals. */
export function formatUsd(value: number): string {
  if (value === 0) return '$0';
  return Math.abs(value) >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
}

/** A percentage with one decimal, e.g. `10.1%`. */
export function formatPct(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(1)}%`;
}

/** A plain number with the given decimals, or a dash when missing. */
export function formatNumber(value: number | null | undefined, decimals = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(decimals);
}

/**
 * A CPU key as a table shows it: `intel-xeon-2.50` -> `x2.5`, `amd-epyc` -> `epyc`, `graviton3` -> `g3`;
 * other keys as they are.
 */
export function shortCpuLabel(cpu: string): string {
  const xeon = /^intel-xeon-(\d+\.\d+)$/.exec(cpu);
  if (xeon) return `x${Number(xeon[1]).toFixed(1)}`;
  if (cpu === 'intel-xeon') return 'xeon';
  if (cpu.startsWith('amd-epyc')) return cpu.slice('amd-'.length).replace('-', '');
  const graviton = /^graviton(\d)$/.exec(cpu);
  if (graviton) return `g${graviton[1]}`;
  return cpu;
}

/** What a short CPU label stands for, e.g. `x2.5` -> `Intel Xeon 2.5 GHz`. */
export function cpuLabelMeaning(cpu: string): string {
  const xeon = /^intel-xeon-(\d+\.\d+)$/.exec(cpu);
  if (xeon) return `Intel Xeon ${Number(xeon[1]).toFixed(1)} GHz`;
  if (cpu.startsWith('amd-epyc')) return 'AMD EPYC';
  const graviton = /^graviton(\d)$/.exec(cpu);
  if (graviton) return `AWS Graviton${graviton[1]}`;
  return cpu;
}

/** `{a: 55, b: 45}` -> `a 55%, b 45%`, largest share first; `short` uses {@link shortCpuLabel}. */
export function formatMix(counts: Readonly<Record<string, number>>, short = false): string {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  if (total === 0) return 'none seen';
  return Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([cpu, count]) => `${short ? shortCpuLabel(cpu) : cpu} ${Math.round((100 * count) / total)}%`)
    .join(', ');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Lays out rows as a plain-text table with a header rule; numbers in `rightAligned` columns align right. */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        rightAligned.includes(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** Wraps text into lines of at most `width` characters, each starting with `indent`. */
export function wrapText(text: string, width = 100, indent = ''): string {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${word}` : word;
  }
  if (line.length > indent.length) lines.push(line);
  return lines.join('\n');
}

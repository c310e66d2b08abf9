/**
 * Lambda's REPORT record: the platform's own account of one invocation, the last line of the log tail an invoke with
 * `LogType: 'Tail'` returns (base64, at most 4 KB). It is the only place a caller sees what Lambda billed: since
 * 2025-08-01 `Billed Duration` includes the INIT phase of a new instance for on-demand ZIP functions on managed
 * runtimes (AWS Compute Blog, "AWS Lambda standardizes billing for INIT phase"), which the handler cannot time itself.
 * Text log format: `REPORT RequestId: … Duration: 102.25 ms Billed Duration: 253 ms Memory Size: 128 MB
 * Max Memory Used: 70 MB Init Duration: 150.12 ms` (tab-separated); JSON log format: a `platform.report` event whose
 * `record.metrics` holds `durationMs`, `billedDurationMs` and, for a new instance, `initDurationMs`.
 */

/** What a REPORT record says about one invocation. */
export interface InvocationReport {
  /** Billed Duration, ms: the handler's duration rounded up, plus INIT where Lambda bills it. */
  readonly billedMs: number;
  /** Duration, ms: the handler's run (INIT excluded). */
  readonly durationMs?: number;
  /** Init Duration, ms: present only for an invocation that started a new instance. */
  readonly initMs?: number;
}

/**
 * Whether Lambda billed the INIT phase a report records: its billed duration covers the run plus the INIT (less the
 * 1 ms its rounding may leave). Undefined where the report records no INIT or no run duration, so cannot tell.
 * @example initWasBilled({ billedMs: 160, durationMs: 9.5, initMs: 150 }); // true
 */
export function initWasBilled(report: InvocationReport): boolean | undefined {
  if (report.initMs === undefined || report.durationMs === undefined) return undefined;
  return report.billedMs >= report.durationMs + report.initMs - 1;
}

/**
 * The REPORT record in a log tail (plain text, or as `LogResult` gives it with `base64`); undefined when the tail holds
 * none with a Billed Duration (a tail cut before it, a provider that writes none). The last record wins.
 * @example reportOfLogTail('REPORT RequestId: 1\tDuration: 9.5 ms\tBilled Duration: 160 ms\tInit Duration: 150 ms\t');
 * // { billedMs: 160, durationMs: 9.5, initMs: 150 }
 */
export function reportOfLogTail(tail: string, encoding: 'text' | 'base64' = 'text'): InvocationReport | undefined {
  const text = encoding === 'base64' ? Buffer.from(tail, 'base64').toString('utf8') : tail;
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    const report = line.startsWith('REPORT ') ? textReport(line) : line.startsWith('{') ? jsonReport(line) : undefined;
    if (report) return report;
  }
  return undefined;
}

/**
 * A REPORT line in Lambda's text log format, for an emulated invocation.
 * @example reportLine('1b2c', { billedMs: 160, durationMs: 9.5, initMs: 150 }, 128);
 */
export function reportLine(requestId: string, report: InvocationReport, memoryMb?: number): string {
  const fields = [`REPORT RequestId: ${requestId}`];
  if (report.durationMs !== undefined) fields.push(`Duration: ${report.durationMs.toFixed(2)} ms`);
  fields.push(`Billed Duration: ${Math.ceil(report.billedMs)} ms`);
  if (memoryMb !== undefined) fields.push(`Memory Size: ${memoryMb} MB`);
  if (report.initMs !== undefined) fields.push(`Init Duration: ${report.initMs.toFixed(2)} ms`);
  return `${fields.join('\t')}\t`;
}

function textReport(line: string): InvocationReport | undefined {
  const fields = new Map<string, number>();
  // Longest names first, so that "Billed Duration" and "Init Duration" are not read as "Duration".
  for (const match of line.matchAll(/(Billed Duration|Init Duration|Duration): ([0-9]+(?:\.[0-9]+)?) ms/g)) {
    fields.set(match[1], Number(match[2]));
  }
  return reportOf(fields.get('Billed Duration'), fields.get('Duration'), fields.get('Init Duration'));
}

function jsonReport(line: string): InvocationReport | undefined {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return undefined;
  }
  const { type, record } = (event ?? {}) as { type?: unknown; record?: { metrics?: Record<string, unknown> } };
  if (type !== 'platform.report' || typeof record?.metrics !== 'object' || record.metrics === null) return undefined;
  const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  const { billedDurationMs, durationMs, initDurationMs } = record.metrics;
  return reportOf(number(billedDurationMs), number(durationMs), number(initDurationMs));
}

function reportOf(billedMs?: number, durationMs?: number, initMs?: number): InvocationReport | undefined {
  const valid = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x) && x >= 0;
  if (!valid(billedMs)) return undefined;
  return { billedMs, ...(valid(durationMs) ? { durationMs } : {}), ...(valid(initMs) ? { initMs } : {}) };
}

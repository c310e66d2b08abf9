import { previewJson } from '../core/nesting';
/**
 * Named errors of the sky configuration. A `ConfigError` lists every problem at once, each naming the key,
 * the value received and what is allowed, so one run tells the user everything to fix.
 */

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** The config key, e.g. `samplersPerZone` (or `skymesh` for the whole object). */
  readonly key: string;
  /** The value received. */
  readonly value: unknown;
  /** What would have been accepted. */
  readonly allowed: string;
  /**
   * How the key is named in the message.
   * @default - `skymesh.<key>`
   */
  readonly label?: string;
  /** A hint beyond `allowed`, e.g. `did you mean "regions"?`. */
  readonly hint?: string;
}

/** The sky configuration is invalid; nothing may be synthesized or run with it. */
export class ConfigError extends Error {
  readonly code = 'ConfigError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
  }
}

function formatProblems(problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((problem) => {
    const hint = problem.hint ? ` (${problem.hint})` : '';
    return `  - ${problem.label ?? `skymesh.${problem.key}`} is ${formatValue(problem.value)}${hint}; allowed: ${problem.allowed}`;
  });
  return [`invalid skymesh config (${count}):`, ...lines].join('\n');
}

/** Renders a received value for a message: JSON, strings quoted, long or deep values cut (never `[object Object]`). */
export function formatValue(value: unknown): string {
  return previewJson(value, 200);
}

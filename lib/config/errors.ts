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

/** Shown instead of a received value that may hold a secret. */
export const SECRET_NOT_SHOWN = '(not shown: it may hold a secret)';

/**
 * Whether a received value may hold a secret: its text names an auth, secret, API key, token or password field, as
 * an endpoint's settings do (a mistyped key or a setting without its prefix must not print a secret given by value).
 */
export function mayHoldSecret(value: unknown): boolean {
  let text: string | undefined;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return true;
  }
  return /secret|api.?key|auth|token|password/i.test(text ?? '');
}

/** The sky configuration is invalid; nothing may be synthesized or run with it. */
export class ConfigError extends Error {
  readonly code = 'ConfigError';
  /** The problems, each value that may hold a secret replaced by {@link SECRET_NOT_SHOWN}. */
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    const shown = problems.map((p) => (mayHoldSecret(p.value) ? { ...p, value: SECRET_NOT_SHOWN } : p));
    super(formatProblems(shown));
    this.name = 'ConfigError';
    this.problems = shown;
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

/** Errors of the local sky. */

/** The steps of a local sky run, in order; a failure names the step it happened in. */
export type LocalSkyStep =
  | 'output'
  | 'scenario'
  | 'servers'
  | 'synth'
  | 'table'
  | 'sampling'
  | 'routing'
  | 'experiment'
  | 'report'
  | 'inspect'
  | 'interrupted';

/** A step of the local sky failed; `step` says which and `cause` carries the original error. */
export class LocalSkyError extends Error {
  constructor(
    readonly step: LocalSkyStep,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`local sky failed at step '${step}': ${message}`, options);
    this.name = 'LocalSkyError';
  }
}

/** A local sky option is out of range: names the option, the value and what is allowed. */
export class LocalSkyOptionError extends Error {
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    // JSON would print a number that is not finite as null.
    const shown = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
    super(`Option ${option} is ${shown}; allowed: ${allowed}`);
    this.name = 'LocalSkyOptionError';
  }
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

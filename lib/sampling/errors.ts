/**
 * Errors of the sampling steps. Step Functions sees the class name as the error name
 * (`errorType`), so a Catch or a reader of the run's `cause` can tell them apart.
 */

export class SamplingStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The event does not match what the state machine sends. */
export class StepInputError extends SamplingStepError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`Invalid sampling step input at '${field}': ${JSON.stringify(value)?.slice(0, 200)}; expected ${allowed}`);
  }
}

/**
 * The sampler itself is broken (it threw, is missing, or refused the request) for more than the
 * saturation share of a poll: that is not a saturated zone, so the run fails with this cause.
 */
export class SamplerFaultError extends SamplingStepError {
  constructor(
    readonly target: string,
    readonly faults: Readonly<Record<string, number>>,
    readonly requested: number,
  ) {
    const list = Object.entries(faults)
      .map(([type, n]) => `${type} × ${n}`)
      .join(', ');
    super(`Sampler ${target} failed ${sum(faults)} of ${requested} requests with its own errors (${list})`);
  }
}

function sum(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The steps function's environment lacks what the stack sets. */
export class StepsConfigError extends SamplingStepError {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`Environment variable ${variable} is not set; it must hold ${expected} (the zone sampler stack sets it)`);
  }
}

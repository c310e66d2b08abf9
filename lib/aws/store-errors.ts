/**
 * Errors of the DynamoDB store. Each names what was wrong, the value, and what is allowed.
 */

/** Base class so callers can catch every store error at once. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A run id that has no `RUN#<id>/META` record. */
export class RunNotFoundError extends StoreError {
  constructor(readonly runId: string) {
    super(`Run '${runId}' has no record; start it with startRun() before recording polls or finishing it`);
  }
}

/** A poll recorded with a gap: polls must be recorded in order 0, 1, 2, … */
export class PollOutOfOrderError extends StoreError {
  constructor(
    readonly runId: string,
    readonly index: number,
    readonly expected: number,
  ) {
    super(
      `Poll ${index} of run '${runId}' cannot be recorded: the run has ${expected} polls, so the next must be ${expected}`,
    );
  }
}

/** A write to a run that has already finished. */
export class RunFinishedError extends StoreError {
  constructor(
    readonly runId: string,
    readonly status: string,
    readonly operation: string,
  ) {
    super(`Run '${runId}' is ${status}; ${operation} is allowed only while it is running`);
  }
}

/** A value the table cannot hold. */
export class InvalidRecordError extends StoreError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`Invalid ${field}: ${JSON.stringify(value)}; allowed: ${allowed}`);
  }
}

import type { DynamicErrorType } from '../../lib/contracts';

/**
 * A failure that becomes a structured `status: 'error'` answer. The handler catches these (and
 * anything else) so that no request ever crashes the instance.
 */
export class DynamicError extends Error {
  override readonly name: string = 'DynamicError';
  constructor(
    readonly type: DynamicErrorType,
    message: string,
    /** The request field at fault (for `BadRequest`). */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A request that does not follow the protocol; `field` names the part at fault. */
export class BadRequestError extends DynamicError {
  override readonly name = 'BadRequestError';
  constructor(field: string, message: string) {
    super('BadRequest', message, field);
  }
}

/** User code (or a workload) ran past its deadline. */
export class DeadlineError extends DynamicError {
  override readonly name = 'DeadlineError';
  constructor(timeoutMs: number, detail = '') {
    super('Timeout', `user code ran past its deadline of ${timeoutMs} ms${detail}`);
  }
}

/** A user-code failure with the original message and stack. */
export class UserCodeError extends DynamicError {
  override readonly name = 'UserCodeError';
  constructor(
    message: string,
    readonly userStack?: string,
  ) {
    super('UserCodeError', message);
  }
}

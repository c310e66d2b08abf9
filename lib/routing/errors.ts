/**
 * Errors of the router service. Each names what was wrong, the value and what is allowed, and
 * carries the HTTP status the Function URL answers with.
 */

/**
 * Base class: every router error maps to an HTTP status and a stable type name.
 * @example
 * try { parseRouterRequest({}); } catch (e) { if (e instanceof RouterError) console.log(e.httpStatus, e.field); } // 400 'workload'
 */
export class RouterError extends Error {
  constructor(
    message: string,
    readonly type: 'BadRequest' | 'PayloadTooLarge' | 'NoTarget',
    readonly httpStatus: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A malformed request: names the field at fault (400).
 * @example throw new RouterRequestError('limits.zones', 'expected an AZ ID such as usw2-az1');
 */
export class RouterRequestError extends RouterError {
  constructor(field: string, message: string) {
    super(`${field}: ${message}`, 'BadRequest', 400, field);
  }
}

/**
 * A request or the payload it would send is larger than Lambda's synchronous invoke limit (413).
 * @example throw new PayloadTooLargeError('input', 7_000_000, SYNC_PAYLOAD_LIMIT_BYTES);
 */
export class PayloadTooLargeError extends RouterError {
  constructor(field: string, bytes: number, limitBytes: number) {
    super(
      `${field}: the payload is ${bytes} bytes; the synchronous invoke limit is ${limitBytes} bytes (6 MB)`,
      'PayloadTooLarge',
      413,
      field,
    );
  }
}

/** A Function URL request with a method other than POST (405). */
export class MethodNotAllowedError extends RouterError {
  constructor(method: string) {
    super(`method ${method} is not allowed; send POST with a JSON body`, 'BadRequest', 405, 'method');
  }
}

/** A Function URL body over the 6 MB limit (413). */
export class BodyTooLargeError extends RouterError {
  constructor(bytes: number, limitBytes: number) {
    super(`body: ${bytes} bytes; the limit is ${limitBytes} bytes (6 MB)`, 'PayloadTooLarge', 413, 'body');
  }
}

/**
 * No deployed target satisfies the request's limits (400).
 * @example throw new NoTargetError('no deployed zone in regions [xx-east-9]');
 */
export class NoTargetError extends RouterError {
  constructor(message: string) {
    super(message, 'NoTarget', 400, 'limits');
  }
}

/** The router's own configuration is invalid: names the variable, the value and what is allowed. */
export class RouterConfigError extends Error {
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`router configuration ${key}=${JSON.stringify(value)} is invalid; allowed: ${allowed}`);
    this.name = 'RouterConfigError';
  }
}

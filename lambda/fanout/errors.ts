/** A fan-out request that cannot be served; the message names the field, its value and what is allowed. */
export class FanoutRequestError extends Error {
  override readonly name = 'FanoutRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

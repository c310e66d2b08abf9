import { UserCodeError } from './errors';

/** Wraps anything user code threw (it need not be an Error). */
export function userError(error: unknown, context?: string): UserCodeError {
  if (isError(error)) {
    const message = context ? `${context}: ${error.name}: ${error.message}` : `${error.name}: ${error.message}`;
    return new UserCodeError(message, error.stack);
  }
  let text: string;
  try {
    text = JSON.stringify(error) ?? String(error);
  } catch {
    text = String(error);
  }
  return new UserCodeError(context ? `${context}: threw ${text}` : `threw ${text}`);
}

/** `instanceof Error` fails for errors from another realm. */
export function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/**
 * Named errors of the providers beyond AWS. Messages name the zone, the endpoint or the secret at fault,
 * never a secret's value.
 */

/** An external endpoint's configuration is invalid. */
export class EndpointConfigError extends Error {
  readonly code = 'EndpointConfigError';
  constructor(
    /** Where in the configuration, e.g. `endpoints[1].functions.2048`. */
    readonly path: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${path} is ${describe(value)}; allowed: ${allowed}`);
    this.name = 'EndpointConfigError';
  }
}

/** A secret could not be read (Secrets Manager refused or the environment variable is unset). */
export class SecretUnavailableError extends Error {
  readonly code = 'SecretUnavailableError';
  constructor(
    /** The secret's reference, e.g. `secretsmanager:skymesh/ibm` or `env:SKY_DO_SECRET`. */
    readonly reference: string,
    readonly reason: string,
  ) {
    super(`secret ${reference} is unavailable: ${reason}`);
    this.name = 'SecretUnavailableError';
  }
}

/** The IBM Cloud IAM token exchange failed. */
export class IamTokenError extends Error {
  readonly code = 'IamTokenError';
  constructor(
    readonly tokenUrl: string,
    readonly status: number | undefined,
    readonly reason: string,
  ) {
    super(
      `IBM Cloud IAM token exchange at ${tokenUrl} failed${status !== undefined ? ` (HTTP ${status})` : ''}: ${reason}`,
    );
    this.name = 'IamTokenError';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}

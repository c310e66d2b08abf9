/**
 * Errors raised while planning or synthesizing the sky mesh. Each carries a stable `code`, says what
 * was wrong, the value, and what is allowed, so that `cdk synth` can print it without a stack trace.
 */

/** Base class of every infra error; `code` is stable and safe to match on. */
export class InfraError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration would produce a stack beyond a CloudFormation or Lambda limit. */
export class MeshLimitError extends InfraError {
  constructor(
    /** The stack that would break the limit, e.g. `Sky-Mesh-us-east-1`. */
    readonly stackName: string,
    /** What is limited, e.g. `resources` or `template bytes`. */
    readonly what: string,
    /** The expected value for this configuration. */
    readonly expected: number,
    /** The limit. */
    readonly limit: number,
    /** How to bring the configuration back within the limit. */
    readonly fix: string,
  ) {
    super('MeshLimitExceeded', `${stackName} would have ${expected} ${what}; the limit is ${limit}. ${fix}`);
  }
}

/** Construct props that no configuration should produce (a programming error or a hand-built stack). */
export class MeshPropsError extends InfraError {
  constructor(
    readonly prop: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super('InvalidMeshProps', `${prop} is ${JSON.stringify(value)}; allowed: ${allowed}.`);
  }
}

/** A Lambda handler could not be bundled (missing entry, esbuild error). */
export class BundlingError extends InfraError {
  constructor(
    readonly entry: string,
    detail: string,
  ) {
    super('BundlingFailed', `Bundling ${entry} failed: ${detail}`);
  }
}

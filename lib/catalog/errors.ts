/**
 * Named errors of the region catalog. Each names what was wrong, the value, and what is allowed.
 */

/** A region code that is not in the catalog. */
export class UnknownRegionError extends Error {
  readonly code = 'UnknownRegionError';
  constructor(
    /** The region code asked for. */
    readonly region: string,
    /** The region codes the catalog knows. */
    readonly allowed: readonly string[],
  ) {
    super(`region ${JSON.stringify(region)} is not in the catalog; allowed: ${allowed.join(', ')}`);
    this.name = 'UnknownRegionError';
  }
}

/**
 * Errors of the twin. Each names what was wrong, the value and what is allowed.
 */

/** One problem found in a scenario file: the field path (`zones[0].mix[1]`) and the reason. */
export interface ScenarioIssue {
  readonly path: string;
  readonly message: string;
}

/** A scenario file that breaks the format of the scenario spec. Nothing runs when it is thrown. */
export class ScenarioError extends Error {
  readonly issues: readonly ScenarioIssue[];
  constructor(source: string, issues: readonly ScenarioIssue[]) {
    const lines = issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`);
    super(`scenario ${source} is invalid:\n${lines.join('\n')}`);
    this.name = 'ScenarioError';
    this.issues = issues;
  }
}

/** A twin call that cannot be served (unknown function, bad option, handler kit missing). */
export class TwinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwinError';
  }
}

/** Errors of the report writer. */

/** The report data is not what the report can draw: names the field, the value and what is allowed. */
export class ReportDataError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`Report data field ${field} is ${JSON.stringify(value)}; allowed: ${allowed}`);
    this.name = 'ReportDataError';
  }
}

/** A chart could not be turned into SVG. */
export class ChartRenderError extends Error {
  constructor(
    readonly chartId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`Chart ${chartId} could not be rendered: ${message}`, options);
    this.name = 'ChartRenderError';
  }
}

/** The report (or another output) cannot be written where it was asked to go. */
export class OutputPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputPathError';
  }
}

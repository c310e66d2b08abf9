import { Format, MultiBar, type Options, type Params, type SingleBar } from 'cli-progress';

/** A progress bar of one task. */
export interface ProgressTask {
  /** Sets how far the task is, out of `total`. */
  update(done: number, detail?: string): void;
  /** Changes the total (e.g. when the number of steps becomes known). */
  setTotal(total: number): void;
  /** Marks the task finished. */
  done(detail?: string): void;
}

/** How a task counts. */
export interface TaskOptions {
  /**
   * The total is a cap, not the work to expect (sampling stops when it has converged, usually long
   * before its poll cap): the count reads `3 of ≤30 polls` and, once done, `4 polls`, with no ETA.
   * The value is the unit's name, e.g. `polls`.
   */
  readonly upTo?: string;
}

/** Where a run reports its progress. */
export interface Progress {
  /** Starts a task labelled `label` with `total` units of work. */
  task(label: string, total: number, options?: TaskOptions): ProgressTask;
  /** A line of text (step starts, timings). */
  log(line: string): void;
  /** Stops drawing; call once at the end. */
  stop(): void;
}

/** Discards everything (tests, `--quiet`). */
export const silentProgress: Progress = {
  task: () => ({ update() {}, setTotal() {}, done() {} }),
  log() {},
  stop() {},
};

/** `75` -> `1m15s`, `9` -> `9s`. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** `1 polls` -> `1 poll`: a unit named in the plural, for a count. */
function counted(count: number, unit: string): string {
  return `${count} ${count === 1 && unit.endsWith('s') ? unit.slice(0, -1) : unit}`;
}

/** What each bar carries besides its value and total. */
interface BarPayload {
  readonly label: string;
  readonly detail: string;
  readonly upTo?: string;
  /** The cap of an `upTo` task, kept while the bar's own total becomes the final count. */
  readonly cap?: number;
  readonly finished?: boolean;
}

/** The widest a progress line gets, so that it stays on one line of a 100-column terminal. */
const LINE_WIDTH = 99;

/**
 * One bar's line: label, bar, count, time taken and (for a task whose total is real, while it runs)
 * the estimated time left, then the detail, cut to the terminal's width.
 */
export function barLine(options: Options, params: Params, payload: BarPayload): string {
  const elapsed = ((params.stopTime ?? Date.now()) - params.startTime) / 1000;
  const { value, total } = params;
  const count = payload.upTo
    ? payload.finished
      ? counted(value, payload.upTo)
      : `${value} of ≤${payload.cap ?? total} ${payload.upTo}`
    : `${value}/${total}`;
  const time = payload.finished
    ? formatSeconds(elapsed)
    : !payload.upTo && value > 0 && value < total
      ? `${formatSeconds(elapsed)}, ETA ${formatSeconds((elapsed / value) * (total - value))}`
      : formatSeconds(elapsed);
  const line = ` ${payload.label} [${Format.BarFormat(params.progress, options)}] ${count} · ${time}${
    payload.detail ? ` · ${payload.detail}` : ''
  }`;
  const width = Math.min(LINE_WIDTH, (params.maxWidth ?? LINE_WIDTH) - 1);
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/**
 * Progress bars on a stream (stderr), with cli-progress: each shows its count, the time taken and,
 * where the total is known, the time left. When the stream is not a terminal, or with `bars: false`,
 * no bars are drawn; each finished task is written as one line instead.
 */
export function terminalProgress(
  stream: NodeJS.WriteStream = process.stderr,
  options: { bars?: boolean } = {},
): Progress {
  if (!stream.isTTY || options.bars === false) return lineProgress(stream);
  const bars = new MultiBar({
    stream,
    format: barLine as unknown as string,
    barsize: 20,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
  });
  let labelWidth = 0;
  return {
    task(label, total, taskOptions = {}) {
      labelWidth = Math.max(labelWidth, label.length);
      const payload: BarPayload = {
        label: label.padEnd(labelWidth),
        detail: '',
        ...(taskOptions.upTo ? { upTo: taskOptions.upTo, cap: total } : {}),
      };
      const bar: SingleBar = bars.create(Math.max(total, 1), 0, payload);
      let value = 0;
      return {
        update: (done, detail) => {
          value = done;
          bar.update(done, detail === undefined ? {} : { detail });
        },
        setTotal: (next) => bar.setTotal(Math.max(next, 1)),
        done: (detail) => {
          const finished = { finished: true, ...(detail === undefined ? {} : { detail }) };
          // A capped task ends full at its own count; the count shown is the units done, not the cap.
          if (taskOptions.upTo) bar.setTotal(Math.max(value, 1));
          bar.update(taskOptions.upTo ? value : bar.getTotal(), finished);
          bar.stop();
        },
      };
    },
    log: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}

function lineProgress(stream: NodeJS.WriteStream): Progress {
  return {
    task(label, total, taskOptions = {}) {
      const began = Date.now();
      let last = 0;
      let size = total;
      return {
        update: (done) => {
          last = done;
        },
        setTotal: (next) => {
          size = next;
        },
        done: (detail) => {
          const count = taskOptions.upTo ? counted(last, taskOptions.upTo) : `${Math.max(last, size)}/${size}`;
          const took = formatSeconds((Date.now() - began) / 1000);
          stream.write(`  ${label}: ${count}${detail ? `, ${detail}` : ''} (${took})\n`);
        },
      };
    },
    log: (line) => stream.write(`${line}\n`),
    stop() {},
  };
}

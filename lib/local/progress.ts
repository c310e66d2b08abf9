import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** A progress bar of one task. */
export interface ProgressTask {
  /** Sets how far the task is, out of `total`. */
  update(done: number, detail?: string): void;
  /** Changes the total (e.g. when the number of polls becomes known). */
  setTotal(total: number): void;
  /** Marks the task finished. */
  done(detail?: string): void;
}

/** Where a run reports its progress. */
export interface Progress {
  /** Starts a task labelled `label` with `total` units of work. */
  task(label: string, total: number): ProgressTask;
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

/**
 * Progress bars on a stream (stderr), with cli-progress. When the stream is not a terminal, or with
 * `bars: false`, no bars are drawn; each finished task is written as one line instead.
 */
export function terminalProgress(
  stream: NodeJS.WriteStream = process.stderr,
  options: { bars?: boolean } = {},
): Progress {
  if (!stream.isTTY || options.bars === false) return lineProgress(stream);
  const bars = new MultiBar(
    {
      stream,
      format: ' {label} [{bar}] {value}/{total} {detail}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
    },
    Presets.shades_classic,
  );
  let labelWidth = 0;
  return {
    task(label, total) {
      labelWidth = Math.max(labelWidth, label.length);
      const bar: SingleBar = bars.create(Math.max(total, 1), 0, { label: label.padEnd(labelWidth), detail: '' });
      return {
        update: (done, detail) => bar.update(done, detail === undefined ? {} : { detail }),
        setTotal: (next) => bar.setTotal(Math.max(next, 1)),
        done: (detail) => bar.update(bar.getTotal(), detail === undefined ? {} : { detail }),
      };
    },
    log: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}

function lineProgress(stream: NodeJS.WriteStream): Progress {
  return {
    task(label, total) {
      let last = 0;
      let size = total;
      return {
        update: (done) => {
          last = done;
        },
        setTotal: (next) => {
          size = next;
        },
        done: (detail) => stream.write(`  ${label}: ${detail ?? `${Math.max(last, size)}/${size}`}\n`),
      };
    },
    log: (line) => stream.write(`${line}\n`),
    stop() {},
  };
}

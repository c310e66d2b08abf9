import { SingleBar } from 'cli-progress';
import { barLine, formatSeconds } from '../local/progress';
import type { TwinProgress } from '../twin/experiment';

/** Reports a twin run's progress on a stream; `stop` once at the end. */
export interface TwinProgressReporter {
  update(progress: TwinProgress): void;
  stop(): void;
}

/**
 * Progress of `sky twin` on stderr: a bar with the steps done, the time taken and the time left when
 * the stream is a terminal; otherwise one line per finished day, in day order (parallel workers
 * each run a share of the strategies, so a day finishes when its slowest share has), each with the
 * time taken and left.
 */
export function twinProgressReporter(stream: NodeJS.WriteStream = process.stderr): TwinProgressReporter {
  return stream.isTTY ? barReporter(stream) : lineReporter(stream);
}

function barReporter(stream: NodeJS.WriteStream): TwinProgressReporter {
  const bar = new SingleBar({ stream, format: barLine as unknown as string, barsize: 20, hideCursor: true });
  let started = false;
  return {
    update(p) {
      const payload = {
        label: 'twin',
        detail: p.phase === 'done' ? 'done' : `day ${p.day + 1}/${p.days}: ${p.detail}`,
      };
      if (!started) {
        bar.start(p.total, 0, payload);
        started = true;
      }
      bar.update(p.done, p.phase === 'done' ? { ...payload, finished: true } : payload);
    },
    stop: () => bar.stop(),
  };
}

function lineReporter(stream: NodeJS.WriteStream): TwinProgressReporter {
  const began = Date.now();
  const stepsByDay = new Map<number, number>();
  let printed = 0;
  let finished = false;
  return {
    update(p) {
      const elapsed = (Date.now() - began) / 1000;
      if (p.phase === 'done') {
        if (!finished) stream.write(`twin: ${p.days} days done in ${formatSeconds(elapsed)}\n`);
        finished = true;
        return;
      }
      stepsByDay.set(p.day, (stepsByDay.get(p.day) ?? 0) + 1);
      const perDay = p.total / p.days;
      while (printed < p.days && (stepsByDay.get(printed) ?? 0) >= perDay) {
        printed++;
        const left = p.done < p.total ? `, about ${formatSeconds((elapsed / p.done) * (p.total - p.done))} left` : '';
        stream.write(`twin: day ${printed}/${p.days} done (${formatSeconds(elapsed)}${left})\n`);
      }
    },
    stop: () => undefined,
  };
}

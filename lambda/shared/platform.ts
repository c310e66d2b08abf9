import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The one seam between a handler and the machine it runs on. In Lambda it is the real
 * filesystem, environment and clock; in the twin every emulated instance gets its own, so the
 * real handler code reports the emulated CPU, boot time, zone and /tmp marker.
 */
export interface Platform {
  /** Reads a text file such as `/proc/cpuinfo`, `/proc/stat` or a marker under `/tmp`; undefined if absent. */
  readFile(path: string): string | undefined;
  /** Writes a text file under `/tmp` (creating parent folders). */
  writeFile(path: string, data: string): void;
  /** The instance's writable scratch folder (`/tmp` in Lambda). */
  readonly tmpDir: string;
  /** Environment variables (`AWS_REGION`, `SKY_AZ_ID`, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits; virtual in the twin's bulk experiments, real in Lambda. */
  sleep(ms: number): Promise<void>;
  /** Ends this instance after the current answer so the platform replaces it (Minos-style rejection). */
  endInstance(): void;
  /**
   * A fine clock in ms (fractional) for short timings such as code decoding.
   * @default - `now()`
   */
  monotonicMs?(): number;
  /**
   * A fresh random id for a new instance marker; inject a seeded one for reproducible runs.
   * @default - `crypto.randomUUID()`
   */
  randomId?(): string;
}

/**
 * The platform of a real Lambda instance (or any Linux process). The scratch folder is `/tmp`,
 * or `SKY_TMP_DIR` when set (for running handlers outside Lambda without touching `/tmp`).
 */
export function nodePlatform(): Platform {
  return {
    readFile(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    writeFile(path, data) {
      const folder = path.slice(0, path.lastIndexOf('/'));
      if (folder && !existsSync(folder)) mkdirSync(folder, { recursive: true });
      writeFileSync(path, data);
    },
    tmpDir: process.env.SKY_TMP_DIR || '/tmp',
    env: process.env,
    now: () => Date.now(),
    monotonicMs: () => performance.now(),
    randomId: () => randomUUID(),
    sleep: (ms) => delay(ms).then(() => undefined),
    endInstance() {
      // Exiting after the response is flushed makes Lambda discard this execution environment.
      setImmediate(() => process.exit(0));
    },
  };
}

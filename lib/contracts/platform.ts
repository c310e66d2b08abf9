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

import { messageOf } from './errors';

/** Something to stop at the end of a run: a server, a client, a signal handler. */
export interface Closer {
  readonly name: string;
  close(): Promise<void> | void;
}

/**
 * Closers run in reverse order of registration, each once, every one of them even when an earlier
 * one fails; their failures are collected, never thrown over the run's own error.
 */
export class Cleanup {
  private readonly closers: Closer[] = [];
  private closing: Promise<string[]> | undefined;

  /** Registers `close` to run at the end; returns the value for chaining. */
  add<T>(name: string, close: () => Promise<void> | void, value?: T): T {
    this.closers.push({ name, close });
    return value as T;
  }

  /** Runs every closer (once, however often it is called) and returns the failures as messages. */
  closeAll(): Promise<string[]> {
    this.closing ??= (async () => {
      const failures: string[] = [];
      while (this.closers.length > 0) {
        const closer = this.closers.pop()!;
        try {
          await closer.close();
        } catch (error) {
          failures.push(`${closer.name}: ${messageOf(error)}`);
        }
      }
      return failures;
    })();
    return this.closing;
  }
}

import type { InvocationReport, InvokeOptions, InvokeResult, Invoker } from '../../../lib/contracts';

export type Fault = Extract<InvokeResult, { ok: false }>;

/**
 * A stand-in for the Lambda service: named functions run in-process, and a fault hook can fail
 * any call before it reaches its function (throttles, timeouts) to inject failures.
 */
export class MemoryInvoker implements Invoker {
  readonly calls: Array<{ name: string; payload: unknown; options?: InvokeOptions }> = [];
  private readonly functions = new Map<string, (payload: unknown) => Promise<unknown>>();
  fault: (name: string, payload: unknown, n: number) => Fault | undefined = () => undefined;
  durationOf: (name: string, payload: unknown) => number = () => 10;
  /** The REPORT record of an answered call whose caller asked for the log tail. @default - none */
  reportOf: (name: string, payload: unknown) => InvocationReport | undefined = () => undefined;

  register(name: string, fn: (payload: unknown) => Promise<unknown>): this {
    this.functions.set(name, fn);
    return this;
  }

  async invoke(name: string, payload: unknown, options?: InvokeOptions): Promise<InvokeResult> {
    this.calls.push({ name, payload, ...(options ? { options } : {}) });
    const injected = this.fault(name, payload, this.calls.length);
    if (injected) return injected;
    const fn = this.functions.get(name);
    if (!fn) {
      return { ok: false, errorType: 'ResourceNotFoundException', message: name, retryable: false, durationMs: 1 };
    }
    try {
      const answer = JSON.parse(JSON.stringify(await fn(payload)));
      const report = options?.logTail ? this.reportOf(name, payload) : undefined;
      return { ok: true, payload: answer, durationMs: this.durationOf(name, payload), ...(report ? { report } : {}) };
    } catch (error) {
      return {
        ok: false,
        errorType: (error as Error).name === 'Error' ? 'Unhandled' : (error as Error).name,
        message: (error as Error).message,
        retryable: false,
        durationMs: 1,
      };
    }
  }
}

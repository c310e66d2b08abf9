import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeIsolation, endAllWorkers, type IsolatedCall } from '../../lambda/dynamic/isolation';
import { realTmp } from './helpers/fake-platform';

function threads(): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
}

/** Whether `condition` holds within 10 s, checked every 20 ms. */
async function settled(condition: () => boolean): Promise<boolean> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('endAllWorkers', () => {
  const dir = realTmp('sky-end-workers-');
  const counter: Omit<IsolatedCall, 'hash'> = {
    source: 'let n = 0; exports.run = () => ++n;',
    baseDir: dir,
    filename: join(dir, 'counter.js'),
    input: null,
    context: {
      tmpDir: dir,
      instance: {
        instanceId: 'i-1',
        newInstance: false,
        cpuKey: 'intel-xeon-2.50',
        cpuModel: 'x',
        arch: 'x86_64',
        cores: 2,
      },
    },
    timeoutMs: 10_000,
  };

  it('ends every worker of the process, live and spare, and leaves each isolation usable', async () => {
    const isolations = [new CodeIsolation({ memoryMb: 512 }), new CodeIsolation({ memoryMb: 1024 })];
    const run = async (isolation: CodeIsolation, hash: string) => (await isolation.call({ ...counter, hash })).value;
    for (const isolation of isolations) {
      expect(await run(isolation, 'a')).toBe(1);
      expect(await run(isolation, 'a')).toBe(2);
      expect(await run(isolation, 'b')).toBe(1);
    }
    // Two workers per isolation, and a spare per heap size started beside them: six. The four that answered have
    // their threads running; a spare's may still be booting.
    const running = threads();
    expect(await endAllWorkers()).toBe(6);
    // A stopped worker's thread leaves the process's count once the OS has reaped it: on a loaded machine, a moment later.
    expect(await settled(() => threads() <= running - 4)).toBe(true);
    // The modules' state went with their workers; the next call starts a worker again.
    for (const isolation of isolations) expect(await run(isolation, 'a')).toBe(1);
    expect(await endAllWorkers()).toBe(4);
    expect(await endAllWorkers()).toBe(0);
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { descendantsOf } from '../../lambda/dynamic/child-processes';
import { realTmp } from './helpers/fake-platform';

/** A `/proc` with the given processes: pid → [command, parent pid]. */
function fakeProc(processes: Record<number, [string, number]>): string {
  const dir = realTmp('sky-proc-');
  for (const [pid, [comm, ppid]] of Object.entries(processes)) {
    mkdirSync(join(dir, pid));
    writeFileSync(join(dir, pid, 'stat'), `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560`);
  }
  mkdirSync(join(dir, 'self'));
  return dir;
}

describe('descendantsOf', () => {
  it("finds a process's children and theirs, whatever their command names hold", () => {
    const proc = fakeProc({
      1: ['init', 0],
      100: ['node', 1],
      101: ['sleep', 100],
      102: ['sh', 100],
      103: ['odd) S 1 (name', 102],
      200: ['other', 1],
    });
    expect(descendantsOf(100, proc).sort((a, b) => a - b)).toEqual([101, 102, 103]);
    expect(descendantsOf(101, proc)).toEqual([]);
  });

  it('finds nothing where /proc cannot be read', () => {
    expect(descendantsOf(1, '/nonexistent-proc')).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';

/**
 * The processes running under a process, by `/proc` (Linux): its children, theirs, and so on. Empty where `/proc`
 * cannot be read. A process that left the tree (a double fork re-parents it to init) is not among them.
 * @example descendantsOf(process.pid); // [4711, 4712]
 */
export function descendantsOf(root: number, procDir = '/proc'): number[] {
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(`${procDir}/${entry}/stat`);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** The parent pid in a `/proc/<pid>/stat` file: the second field after the command, which may hold `)` itself. */
function parentOf(statFile: string): number | undefined {
  try {
    const stat = readFileSync(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Ends (SIGKILL) every process under `root` that `before` does not hold: what a call started and left running.
 * Gives how many it signalled.
 */
export function endProcessesStartedSince(before: ReadonlySet<number>, root = process.pid, procDir = '/proc'): number {
  let ended = 0;
  for (const pid of descendantsOf(root, procDir)) {
    if (before.has(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      ended++;
    } catch {
      // It ended on its own meanwhile.
    }
  }
  return ended;
}

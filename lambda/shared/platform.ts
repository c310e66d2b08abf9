import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { Platform } from '../../lib/contracts';

export type { Platform } from '../../lib/contracts';

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

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder of skymesh's own `package.json`, found upward from this file, so that shipped files
 * (`scenarios/`) resolve the same from a clone (`lib/`) and from the installed package (`dist/lib/`).
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'skymesh') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`skymesh's package.json was not found above ${__dirname}`);
    dir = parent;
  }
}

/** The version in skymesh's `package.json`. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

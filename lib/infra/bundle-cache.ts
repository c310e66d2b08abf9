import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Output files of one bundled handler group, and the hash that names its asset. */
export interface BuiltBundle {
  readonly hash: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly contents: Uint8Array; readonly mode?: number }>;
}

interface CacheRecord {
  readonly key: string;
  /** Every file esbuild read (from its metafile), relative to the project root, with its sha256. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly hash: string;
  readonly files: readonly string[];
  /** Unix modes of the files that carry one (copied files such as scripts). */
  readonly modes?: Readonly<Record<string, number>>;
}

/**
 * A disk cache of bundles across `cdk synth` runs: a bundle is reused while the build settings and the
 * content of every file esbuild read for it are unchanged, so a synth with unchanged handlers does not
 * run esbuild at all. Writes go through a temporary file and a rename, so parallel synths (test
 * workers) never read a half-written entry.
 */
export class BundleCache {
  constructor(
    /** Folder of the cache, e.g. `node_modules/.cache/skymesh-bundles`. */
    readonly dir: string,
    /** Project root the recorded input paths are relative to. */
    readonly root: string,
  ) {}

  /** The cached bundle for `key` if every recorded input still has its recorded content. */
  read(name: string, key: string): BuiltBundle | undefined {
    const record = this.readRecord(name);
    if (!record || record.key !== key) return undefined;
    for (const [path, sha] of Object.entries(record.inputs)) {
      const full = join(this.root, path);
      if (!existsSync(full) || sha256(readFileSync(full)) !== sha) return undefined;
    }
    const folder = join(this.dir, record.hash);
    if (!record.files.every((file) => existsSync(join(folder, file)))) return undefined;
    return {
      hash: record.hash,
      files: record.files.map((file) => ({
        name: file,
        contents: readFileSync(join(folder, file)),
        ...(record.modes?.[file] !== undefined ? { mode: record.modes[file] } : {}),
      })),
    };
  }

  /** Stores a bundle with the inputs it was built from (paths relative to the root). */
  write(name: string, key: string, inputs: readonly string[], bundle: BuiltBundle): void {
    const hashes: Record<string, string> = {};
    for (const path of inputs) hashes[path] = sha256(readFileSync(join(this.root, path)));
    for (const file of bundle.files) atomicWrite(join(this.dir, bundle.hash, file.name), file.contents);
    const modes: Record<string, number> = {};
    for (const file of bundle.files) if (file.mode !== undefined) modes[file.name] = file.mode;
    const record: CacheRecord = {
      key,
      inputs: hashes,
      hash: bundle.hash,
      files: bundle.files.map((f) => f.name),
      modes,
    };
    atomicWrite(join(this.dir, `${name}.json`), JSON.stringify(record));
  }

  private readRecord(name: string): CacheRecord | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, `${name}.json`), 'utf8')) as CacheRecord;
    } catch {
      return undefined;
    }
  }
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function atomicWrite(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AssetHashType, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { buildSync, version as esbuildVersion } from 'esbuild';
import { type BuiltBundle, BundleCache } from './bundle-cache';
import { BundlingError } from './errors';
import { SKY_BUNDLE_TARGET } from './node-runtime';

/**
 * Handler entries are resolved against `lib/infra/../..`: the repository root in a clone (TypeScript
 * sources), `dist/` in the installed package (which holds the bundles built from those sources, see
 * {@link writePrebuiltBundles}, and the same handlers compiled to JavaScript).
 */
const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** Folder under a project root where the package build leaves each group's bundle (`bundles/<group>`). */
export const PREBUILT_BUNDLES_DIR = 'bundles';

/** What `bundle.json` of a prebuilt group records beside its files: the bundle's hash and each file's mode. */
interface PrebuiltManifest {
  readonly hash: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly mode?: number }>;
}

/** An entry's TypeScript source, or the compiled `.js` beside it where only that ships. */
function entryFile(root: string, entry: string): string | undefined {
  const source = join(root, entry);
  if (existsSync(source)) return source;
  const compiled = source.replace(/\.ts$/, '.js');
  return existsSync(compiled) ? compiled : undefined;
}

/**
 * A group of Lambda handlers bundled into ONE folder, so that every function of a stack shares one
 * code asset (one upload, one hash): each entry becomes `<name>.js` exporting `handler`.
 */
export interface HandlerGroup {
  /** Folder name of the group, e.g. `dynamic`. */
  readonly name: string;
  /** Output file name (without `.js`) to entry path relative to the project root. */
  readonly entries: Readonly<Record<string, string>>;
  /**
   * Files copied into the bundle as they are: output name to path relative to the project root. Their
   * Unix mode is kept (the CDK CLI zips assets with each file's mode), so a script stays executable.
   * @default - none
   */
  readonly files?: Readonly<Record<string, string>>;
}

/** Name of the dynamic function's exec wrapper in its bundle; Lambda unpacks the bundle into `/var/task`. */
export const NO_CREDENTIALS_WRAPPER = 'sky-no-credentials';

/** The dynamic function: runs the code it is sent (region mesh stacks). */
export const DYNAMIC_HANDLERS: HandlerGroup = {
  name: 'dynamic',
  entries: { dynamic: 'lambda/dynamic/index.ts' },
  files: { [NO_CREDENTIALS_WRAPPER]: 'lambda/dynamic/no-credentials.sh' },
};

/** The fan-out tree and the sampling steps (zone sampler stacks). */
export const ZONE_HANDLERS: HandlerGroup = {
  name: 'zone',
  entries: { fanout: 'lambda/fanout/index.ts', sampling: 'lambda/sampling/index.ts' },
};

/** The router (control stack). */
export const CONTROL_HANDLERS: HandlerGroup = { name: 'control', entries: { router: 'lambda/router/index.ts' } };

/** The `handler` property for entry `name` of a bundled group, e.g. `dynamic.handler`. */
export function bundledHandler(group: HandlerGroup, name: string): string {
  if (!(name in group.entries)) {
    throw new BundlingError(
      name,
      `no entry named '${name}' in group '${group.name}'; it has ${Object.keys(group.entries).join(', ')}`,
    );
  }
  return `${name}.handler`;
}

/** The esbuild settings of every bundle; part of the cache key. */
const BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: SKY_BUNDLE_TARGET,
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
} as const;

/** Files besides the imported sources that can change how esbuild resolves and compiles them. */
const BUILD_CONFIG_FILES = ['package.json', 'tsconfig.json'];

/** esbuild runs at most once per group per process; every synth in the process reuses the bytes. */
const built = new Map<string, BuiltBundle>();

function build(group: HandlerGroup, root: string, cacheDir: string | false): BuiltBundle {
  const memoKey = `${root}\0${group.name}\0${JSON.stringify(group.entries)}`;
  const memo = built.get(memoKey);
  if (memo) return memo;
  const prebuilt = readPrebuilt(group, root);
  if (prebuilt) {
    built.set(memoKey, prebuilt);
    return prebuilt;
  }
  const cache = cacheDir === false ? undefined : new BundleCache(cacheDir, root);
  const cacheKey = JSON.stringify({
    esbuild: esbuildVersion,
    options: BUILD_OPTIONS,
    entries: group.entries,
    files: group.files ?? {},
  });
  const cached = cache?.read(group.name, cacheKey);
  if (cached) {
    built.set(memoKey, cached);
    return cached;
  }
  const entryPoints: Record<string, string> = {};
  for (const [name, entry] of Object.entries(group.entries)) {
    const path = entryFile(root, entry);
    if (!path) throw new BundlingError(entry, `the entry file does not exist (looked in ${root})`);
    entryPoints[name] = path;
  }
  let result: ReturnType<typeof buildSync>;
  try {
    result = buildSync({
      ...BUILD_OPTIONS,
      entryPoints,
      metafile: true,
      write: false,
      outdir: '/',
      logLevel: 'silent',
      absWorkingDir: root,
    });
  } catch (error) {
    throw new BundlingError(group.name, error instanceof Error ? error.message : String(error));
  }
  const hash = createHash('sha256');
  const files: Array<{ name: string; contents: Uint8Array; mode?: number }> = [
    ...(result.outputFiles ?? []).map((file) => ({ name: file.path.slice(1), contents: file.contents })),
    ...copiedFiles(group, root),
  ].sort((a, b) => a.name.localeCompare(b.name));
  for (const file of files) {
    hash.update(file.name).update('\0').update(file.contents);
    if (file.mode !== undefined) hash.update(`\0${file.mode.toString(8)}`);
  }
  const bundle = { hash: hash.digest('hex'), files };
  if (cache && result.metafile) {
    const inputs = [
      ...Object.keys(result.metafile.inputs),
      ...Object.values(group.files ?? {}),
      ...BUILD_CONFIG_FILES.filter((f) => existsSync(join(root, f))),
    ];
    cache.write(group.name, cacheKey, inputs, bundle);
  }
  built.set(memoKey, bundle);
  return bundle;
}

/**
 * The group's bundle as the package build left it under `<root>/bundles/<group>`, or undefined where there is none
 * (a clone bundles its TypeScript sources instead).
 */
function readPrebuilt(group: HandlerGroup, root: string): BuiltBundle | undefined {
  const folder = join(root, PREBUILT_BUNDLES_DIR, group.name);
  const manifestFile = join(folder, 'bundle.json');
  if (!existsSync(manifestFile)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as PrebuiltManifest;
    const files = manifest.files.map((file) => ({
      name: file.name,
      contents: readFileSync(join(folder, file.name)),
      ...(file.mode !== undefined ? { mode: file.mode } : {}),
    }));
    return { hash: manifest.hash, files };
  } catch (error) {
    throw new BundlingError(group.name, `the prebuilt bundle in ${folder} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Bundles every handler group from the TypeScript sources under `sourceRoot` into `<outRoot>/bundles/<group>`, with
 * a `bundle.json` naming its files and hash. The package build runs it, so that the installed package deploys the
 * bundles a clone deploys: bundling the compiled CommonJS instead would pull in whole libraries (zod's CommonJS build
 * cannot be tree-shaken), several times the size and load time.
 * @returns the folders written
 */
export function writePrebuiltBundles(sourceRoot: string, outRoot: string): string[] {
  return [DYNAMIC_HANDLERS, ZONE_HANDLERS, CONTROL_HANDLERS].map((group) => {
    const { hash, files } = build(group, sourceRoot, false);
    const folder = join(outRoot, PREBUILT_BUNDLES_DIR, group.name);
    mkdirSync(folder, { recursive: true });
    for (const file of files) {
      const path = join(folder, file.name);
      writeFileSync(path, file.contents);
      if (file.mode !== undefined) chmodSync(path, file.mode);
    }
    const manifest: PrebuiltManifest = {
      hash,
      files: files.map((file) => ({ name: file.name, ...(file.mode !== undefined ? { mode: file.mode } : {}) })),
    };
    writeFileSync(join(folder, 'bundle.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return folder;
  });
}

function copiedFiles(group: HandlerGroup, root: string): Array<{ name: string; contents: Uint8Array; mode: number }> {
  return Object.entries(group.files ?? {}).map(([name, path]) => {
    const full = join(root, path);
    if (!existsSync(full)) throw new BundlingError(path, `the file does not exist (looked in ${root})`);
    return { name, contents: readFileSync(full), mode: statSync(full).mode & 0o777 };
  });
}

/** Options of {@link bundledCode}. */
export interface BundledCodeOptions {
  /**
   * Folder the entries are resolved against; a group bundled there already (`bundles/<group>`, as the package build
   * leaves it) is used as it is.
   * @default - the repository root in a clone, `dist/` in the installed package
   */
  readonly projectRoot?: string;
  /**
   * Folder of the bundle cache kept across synths, or `false` for none.
   * @default - `node_modules/.cache/skymesh-bundles` under the project root in a clone; none in the
   * installed package, whose handlers never change
   */
  readonly cacheDir?: string | false;
}

/**
 * Bundles a handler group with the project's esbuild (at most once per process, and not at all while a
 * cached bundle's inputs are unchanged; see {@link BundleCache}) into
 * `<cloud assembly outdir>/bundles/<group>-<hash>` and returns a code asset for it, keyed by the
 * bundle's own hash so that CDK does not fingerprint the folder again.
 *
 * Create one per stack (a CDK asset belongs to one stack) and pass it to every function there.
 *
 * @example
 * const code = bundledCode(this, DYNAMIC_HANDLERS);
 * new lambda.Function(this, 'Fn', { code, handler: bundledHandler(DYNAMIC_HANDLERS, 'dynamic'), ... });
 */
export function bundledCode(scope: Construct, group: HandlerGroup, options: BundledCodeOptions = {}): lambda.Code {
  const root = options.projectRoot ?? PROJECT_ROOT;
  const clone = existsSync(join(root, 'package.json'));
  const { hash, files } = build(
    group,
    root,
    options.cacheDir ?? (clone ? join(root, 'node_modules', '.cache', 'skymesh-bundles') : false),
  );
  const outdir = Stage.of(scope)?.outdir;
  if (!outdir) throw new BundlingError(group.name, 'the construct is not inside a CDK App or Stage');
  const folder = join(outdir, 'bundles', `${group.name}-${hash.slice(0, 16)}`);
  if (!existsSync(folder)) {
    for (const file of files) {
      const path = join(folder, file.name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.contents, file.mode !== undefined ? { mode: file.mode } : {});
    }
  }
  return lambda.Code.fromAsset(folder, { assetHash: hash, assetHashType: AssetHashType.CUSTOM });
}

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { CONTROL_HANDLERS, DYNAMIC_HANDLERS, ZONE_HANDLERS } from '../../lib/infra/bundling';

const ROOT = resolve(__dirname, '..', '..');

interface Manifest {
  readonly version: string;
  readonly engines: { readonly node: string };
  readonly bin: Record<string, string>;
  readonly files: readonly string[];
  readonly exports: Record<string, string | { readonly types: string; readonly default: string }>;
  readonly typesVersions: Record<string, Record<string, readonly string[]>>;
  readonly scripts: Record<string, string>;
  readonly dependencies: Record<string, string>;
  readonly peerDependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** What must never load with the router library: CDK, the bundler, charts, the local servers, tsx. */
const NOT_IN_ROUTER_LIBRARY = [
  'aws-cdk-lib',
  'constructs',
  'cdk-nag',
  'esbuild',
  'vega',
  'vega-lite',
  'dynalite',
  'aws-local-stepfunctions',
  'asl-validator',
  'cli-progress',
  'commander',
  'tsx',
];

/**
 * Packages the project's own files require (directly) when `entry` is loaded, in a fresh Node process.
 * tsx compiles the TypeScript; what tsx itself loads is not counted, only requests made from our files.
 */
function packagesLoadedBy(entry: string): string[] {
  const script = `
    const Module = require('node:module');
    const seen = new Set();
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
      const from = parent && parent.filename;
      if (from && !from.includes('/node_modules/') && !request.startsWith('.') && !request.startsWith('node:')) {
        seen.add(request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0]);
      }
      return load.apply(this, arguments);
    };
    require(${JSON.stringify(entry)});
    process.stdout.write(JSON.stringify([...seen].sort()));
  `;
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`loading ${entry} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

/** The TypeScript source that `tsc -p tsconfig.build.json` compiles to a `dist/` file. */
const sourceOf = (distFile: string): string =>
  join(
    ROOT,
    distFile
      .replace(/^\.\/dist\//, '')
      .replace(/\.d\.ts$/, '.ts')
      .replace(/\.js$/, '.ts'),
  );

describe('the package', () => {
  it('loads no CDK, bundler, chart, local-server or CLI code with the router library', () => {
    const loaded = packagesLoadedBy('./lib/index.ts');
    expect(loaded.filter((name) => NOT_IN_ROUTER_LIBRARY.includes(name))).toEqual([]);
  });

  it('has a construct entry that loads CDK (so the check above can see it)', () => {
    expect(packagesLoadedBy('./lib/infra/index.ts')).toEqual(expect.arrayContaining(['aws-cdk-lib', 'constructs']));
  });

  it('maps skymesh, skymesh/infra and skymesh/aws to compiled files of existing sources', () => {
    expect(Object.keys(manifest.exports).sort()).toEqual(['.', './aws', './infra', './package.json']);
    for (const key of ['.', './infra', './aws']) {
      const target = manifest.exports[key] as { types: string; default: string };
      expect(existsSync(sourceOf(target.default))).toBe(true);
      expect(sourceOf(target.types)).toBe(sourceOf(target.default));
    }
    expect(sourceOf((manifest.exports['./infra'] as { default: string }).default)).toBe(
      join(ROOT, 'lib', 'infra', 'index.ts'),
    );
    expect(sourceOf((manifest.exports['./aws'] as { default: string }).default)).toBe(
      join(ROOT, 'lib', 'aws', 'index.ts'),
    );
    // TypeScript's node10 resolution (the default of module commonjs) reads no exports map: typesVersions maps the
    // subpaths for it.
    for (const sub of ['infra', 'aws']) {
      expect(manifest.typesVersions['*'][sub]).toEqual([
        (manifest.exports[`./${sub}`] as { types: string }).types.slice(2),
      ]);
    }
  });

  it('exports from the aws entry what the README tells users to embed the routing service with', () => {
    const aws = require('../../lib/aws/index') as Record<string, unknown>;
    expect(
      ['SkyStore', 'createDocumentClient', 'sdkInvoker', 'lambdaClientWithLimit', 'urlRouterClient'].filter(
        (name) => typeof aws[name] !== 'function',
      ),
    ).toEqual([]);
    expect(packagesLoadedBy('./lib/aws/index.ts').filter((name) => NOT_IN_ROUTER_LIBRARY.includes(name))).toEqual([]);
  });

  it('declares every package the shipped code imports, and ships no dependency it does not import', () => {
    const { builtinModules } = require('node:module') as { builtinModules: string[] };
    const imported = new Set<string>();
    for (const dir of ['lib', 'lambda', 'bin']) {
      for (const file of typeScriptFiles(join(ROOT, dir))) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/(?:from\s+|import\(|require\()'([^'.\s][^'\s]*)'/g)) {
          const specifier = match[1];
          const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
          if (specifier.startsWith('node:') || builtinModules.includes(name)) continue;
          imported.add(name);
        }
      }
    }
    // tsx runs the TypeScript sources in a clone (bin/sky.js and the twin's workers use it only when those exist);
    // skymesh itself is named only in doc examples.
    imported.delete('tsx');
    imported.delete('skymesh');
    const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
    expect([...imported].filter((name) => !declared.has(name)).sort()).toEqual([]);
    expect(Object.keys(manifest.dependencies).filter((name) => !imported.has(name))).toEqual([]);
  });

  it("keeps the router entry's telemetry type free of Powertools, whose types need @types/aws-lambda", () => {
    const telemetry = readFileSync(join(ROOT, 'lib', 'routing', 'telemetry.ts'), 'utf8');
    expect(telemetry).toContain('export interface RouterTelemetry');
    expect(telemetry).not.toMatch(/@aws-lambda-powertools/);
  });

  it("exports from the router entry the functions the README's library section tells users to call", () => {
    const entry = require('../../lib/index') as Record<string, unknown>;
    const named = [
      'Router',
      'RoutingService',
      'corePlacerFactory',
      'rejectCpusAt',
      'expectedRejectModeCost',
      'attemptChain',
      'decideStop',
      'hostCensusOf',
      'estimateCharacterizationError',
      'ape',
      'distributionOf',
      'mergeCounts',
      'driftBetween',
      'classifyDrift',
    ];
    expect(named.filter((name) => typeof entry[name] !== 'function')).toEqual([]);
  });

  it('exports from the infra entry the errors a bad setting or plan throws', () => {
    const infra = require('../../lib/infra/index') as Record<string, unknown>;
    expect(
      ['ConfigError', 'InfraError', 'MeshPropsError', 'MeshLimitError'].filter((n) => typeof infra[n] !== 'function'),
    ).toEqual([]);
  });

  it('exports the SkyMesh construct from the infra entry', () => {
    const infra = readFileSync(join(ROOT, 'lib', 'infra', 'index.ts'), 'utf8');
    expect(infra).toMatch(/export \{ SkyMesh, type SkyMeshProps \} from '\.\/sky-mesh'/);
  });

  it('ships the compiled CLI, the scenarios and no TypeScript source, building before it packs', () => {
    expect(manifest.scripts.prepack).toBe('npm run build');
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(packed.status).toBe(0);
    const files = (JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
    const scenarios = readdirSync(join(ROOT, 'scenarios')).map((f) => `scenarios/${f}`);
    expect(scenarios).toContain('scenarios/lambda-2026.json');
    expect(files).toEqual(expect.arrayContaining(['bin/sky.js', 'package.json', ...scenarios]));
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /^(test|bench|lambda|lib)\//.test(f))).toEqual([]);
    // bin/sky.js runs the compiled CLI when its TypeScript source is not beside it
    expect(manifest.bin.sky).toBe('bin/sky.js');
    expect(readFileSync(join(ROOT, 'bin', 'sky.js'), 'utf8')).toContain("require('../dist/bin/sky.js')");
  });

  it("copies the handlers' files that are not TypeScript (the exec wrapper) into dist, keeping their mode", () => {
    // GIVEN every file a handler group bundles besides its entries
    const assets = [DYNAMIC_HANDLERS, ZONE_HANDLERS, CONTROL_HANDLERS].flatMap((g) => Object.values(g.files ?? {}));
    expect(assets.length).toBeGreaterThan(0);
    // WHEN the build's copy step runs into a fresh folder
    const out = mkdtempSync(join(tmpdir(), 'sky-dist-'));
    try {
      const { copyAssets } = require(join(ROOT, 'scripts', 'copy-assets.js')) as {
        copyAssets: (from: string, to: string) => string[];
      };
      copyAssets(join(ROOT, 'lambda'), join(out, 'lambda'));
      // THEN each one is where the compiled handlers' bundling looks for it, as executable as its source
      for (const asset of assets) {
        const copied = join(out, asset);
        expect(existsSync(copied)).toBe(true);
        expect(statSync(copied).mode).toBe(statSync(join(ROOT, asset)).mode);
      }
      expect(manifest.scripts.build).toContain('node scripts/copy-assets.js');
      // and the handlers are bundled from their sources (test/infra/bundling.test.ts checks the bundles it writes)
      expect(manifest.scripts.build).toMatch(/tsc -p tsconfig\.build\.json && .*node scripts\/build-bundles\.js/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('makes aws-cdk-lib and constructs peers of the construct entry, at the versions it is built with', () => {
    for (const name of ['aws-cdk-lib', 'constructs']) {
      expect(manifest.dependencies[name]).toBeUndefined();
      expect(manifest.peerDependencies[name]).toBe(`^${manifest.devDependencies[name]}`);
    }
    expect(manifest.dependencies.tsx).toBeUndefined();
  });

  it("declares a Node range every dependency accepts, but aws-local-stepfunctions's (see the README)", () => {
    const ours = minimumNode(manifest.engines.node);
    const refusing: string[] = [];
    for (const name of Object.keys(manifest.dependencies)) {
      const dependency = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        engines?: { node?: string };
      };
      const theirs = dependency.engines?.node;
      if (theirs !== undefined && compare(minimumNode(theirs), ours) > 0) refusing.push(`${name} ${theirs}`);
    }
    // Its only published version declares Node 22; on Node 20 it runs with the Promise.withResolvers polyfill.
    expect(refusing).toEqual(['aws-local-stepfunctions >=22.0.0']);
  });
});

/** Every TypeScript file under `dir`. */
function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The lowest Node version a `>=x.y.z` range admits (other forms are not used by our dependencies). */
function minimumNode(range: string): number[] {
  const match = /^>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!match) throw new Error(`unexpected engines.node range ${range}`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  bundledCode,
  bundledHandler,
  CONTROL_HANDLERS,
  DYNAMIC_HANDLERS,
  type HandlerGroup,
  NO_CREDENTIALS_WRAPPER,
  writePrebuiltBundles,
  ZONE_HANDLERS,
} from '../../lib/infra/bundling';
import { BundlingError } from '../../lib/infra/errors';
import { SKY_RUNTIME } from '../../lib/infra/region-mesh-stack';

const ROOT = resolve(__dirname, '..', '..');

describe('bundledCode', () => {
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'skymesh-bundling-'));
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('bundles a group into one folder of CommonJS files that each export handler', () => {
    // GIVEN a group of two entries, one importing a module from the project
    const root = join(scratch, 'project');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'shared.ts'), "export const greet = (n: string): string => 'hello ' + n;\n");
    writeFileSync(
      join(root, 'src', 'a.ts'),
      "import { greet } from './shared';\nexport const handler = async () => greet('a');\n",
    );
    writeFileSync(join(root, 'src', 'b.ts'), 'export const handler = async (e: { n: number }) => e.n * 2;\n');
    const group: HandlerGroup = { name: 'pair', entries: { a: 'src/a.ts', b: 'src/b.ts' } };
    const app = new App({ outdir: join(scratch, 'out') });
    // WHEN it is bundled for a stack
    const code = bundledCode(new Stack(app, 'S'), group, { projectRoot: root });
    // THEN one folder holds a.js and b.js, runnable by Node as Lambda would load them
    const folder = (code as lambda.AssetCode).path;
    expect(readdirSync(folder).sort()).toEqual(['a.js', 'b.js']);
    const run = (file: string, event: string) =>
      execFileSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(join(folder, file))}).handler(${event}).then((r) => process.stdout.write(JSON.stringify(r)))`,
        ],
        {
          encoding: 'utf8',
        },
      );
    expect(run('a.js', '{}')).toBe('"hello a"');
    expect(run('b.js', '{ n: 21 }')).toBe('42');
    expect(readFileSync(join(folder, 'a.js'), 'utf8')).not.toContain('import ');
    expect(bundledHandler(group, 'b')).toBe('b.handler');
  });

  it("deploys the bundles the package build wrote from the sources, the same bytes a clone's synth bundles", () => {
    // GIVEN the package build's bundles in a folder that holds no handler source
    const dist = join(scratch, 'dist');
    const folders = writePrebuiltBundles(ROOT, dist);
    expect(folders.map((f) => f.slice(dist.length + 1))).toEqual([
      'bundles/dynamic',
      'bundles/zone',
      'bundles/control',
    ]);
    expect(existsSync(join(dist, 'lambda'))).toBe(false);
    // WHEN a stack bundles each group from there, and another from the clone
    for (const group of [DYNAMIC_HANDLERS, ZONE_HANDLERS, CONTROL_HANDLERS]) {
      const installed = bundledCode(new Stack(new App({ outdir: join(scratch, `pkg-${group.name}`) }), 'S'), group, {
        projectRoot: dist,
        cacheDir: false,
      }) as lambda.AssetCode;
      const clone = bundledCode(new Stack(new App({ outdir: join(scratch, `clone-${group.name}`) }), 'S'), group, {
        cacheDir: false,
      }) as lambda.AssetCode;
      // THEN both deploy the same files, byte for byte and mode for mode, under the same asset hash
      const files = readdirSync(clone.path).sort();
      expect(readdirSync(installed.path).sort()).toEqual(files);
      for (const file of files) {
        expect(readFileSync(join(installed.path, file)).equals(readFileSync(join(clone.path, file)))).toBe(true);
        expect(statSync(join(installed.path, file)).mode).toBe(statSync(join(clone.path, file)).mode);
      }
      expect(installed.path.slice(installed.path.lastIndexOf('/'))).toBe(clone.path.slice(clone.path.lastIndexOf('/')));
    }
  });

  it('names the group and folder when a prebuilt bundle cannot be read', () => {
    const dist = join(scratch, 'broken');
    mkdirSync(join(dist, 'bundles', 'dynamic'), { recursive: true });
    writeFileSync(join(dist, 'bundles', 'dynamic', 'bundle.json'), '{"hash":"x","files":[{"name":"dynamic.js"}]}');
    expect(() =>
      bundledCode(new Stack(new App({ outdir: join(scratch, 'broken-out') }), 'S'), DYNAMIC_HANDLERS, {
        projectRoot: dist,
        cacheDir: false,
      }),
    ).toThrow(/dynamic.*the prebuilt bundle in .*bundles\/dynamic cannot be read: ENOENT/);
  });

  it('gives every function of a stack the same asset, keyed by the bundle hash', () => {
    const app = new App({ outdir: join(scratch, 'out2'), builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'S', { env: { region: 'us-west-1' } });
    const code = bundledCode(stack, DYNAMIC_HANDLERS);
    for (const memorySize of [128, 256, 512]) {
      new lambda.Function(stack, `F${memorySize}`, {
        code,
        handler: bundledHandler(DYNAMIC_HANDLERS, 'dynamic'),
        runtime: SKY_RUNTIME,
        memorySize,
      });
    }
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const keys = new Set(
      functions.map((f) => JSON.stringify((f as { Properties: { Code: unknown } }).Properties.Code)),
    );
    expect(keys.size).toBe(1);
    const assembly = app.synth();
    const assets = readdirSync(assembly.directory).filter((f) => f.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    expect(existsSync(join(assembly.directory, assets[0], 'dynamic.js'))).toBe(true);
  });

  it("ships the dynamic function's exec wrapper executable, and it starts a runtime without the role's credentials", () => {
    // GIVEN the dynamic functions' code asset, synthesized
    const app = new App({ outdir: join(scratch, 'out-wrapper'), builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'S', { env: { region: 'us-west-1' } });
    new lambda.Function(stack, 'F', {
      code: bundledCode(stack, DYNAMIC_HANDLERS),
      handler: bundledHandler(DYNAMIC_HANDLERS, 'dynamic'),
      runtime: SKY_RUNTIME,
    });
    const assembly = app.synth();
    const [asset] = readdirSync(assembly.directory).filter((f) => f.startsWith('asset.'));
    const wrapper = join(assembly.directory, asset!, NO_CREDENTIALS_WRAPPER);
    // THEN the staged wrapper is executable (the CDK CLI zips each file with its mode)
    expect(statSync(wrapper).mode & 0o111).toBe(0o111);
    // WHEN Lambda would start the runtime through it, with the role's credentials in the environment
    const environ = execFileSync(
      wrapper,
      [process.execPath, '-e', "process.stdout.write(require('fs').readFileSync('/proc/self/environ', 'latin1'))"],
      {
        encoding: 'latin1',
        env: {
          PATH: process.env.PATH ?? '',
          AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE',
          AWS_SECRET_ACCESS_KEY: 'fake-secret',
          AWS_SESSION_TOKEN: 'fake-token',
          AWS_REGION: 'us-west-1',
        },
      },
    );
    // THEN the runtime's own /proc/self/environ holds none of them, and the rest is passed on
    const names = environ.split('\0').map((entry) => entry.split('=')[0]);
    expect(names).toContain('AWS_REGION');
    expect(names.filter((n) => /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$/.test(n!))).toEqual([]);
    expect(environ).not.toContain('fake');
  });

  it('fails with the missing entry named when a handler file does not exist', () => {
    const app = new App({ outdir: join(scratch, 'out3') });
    const group: HandlerGroup = { name: 'ghost', entries: { ghost: 'lambda/ghost/index.ts' } };
    expect(() => bundledCode(new Stack(app, 'S'), group)).toThrow(BundlingError);
    expect(() => bundledCode(new Stack(app, 'S2'), group)).toThrow(
      /lambda\/ghost\/index\.ts failed: the entry file does not exist/,
    );
  });

  it('fails with esbuild’s message when an entry does not compile', () => {
    const root = join(scratch, 'broken');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'x.ts'), "import { nothing } from './missing';\nexport const handler = nothing;\n");
    const app = new App({ outdir: join(scratch, 'out4') });
    const group: HandlerGroup = { name: 'broken', entries: { x: 'x.ts' } };
    expect(() => bundledCode(new Stack(app, 'S'), group, { projectRoot: root })).toThrow(
      /Bundling broken failed: .*missing/s,
    );
  });
});

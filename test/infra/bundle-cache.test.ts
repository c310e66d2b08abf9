import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { BundleCache } from '../../lib/infra/bundle-cache';
import { bundledCode, type HandlerGroup } from '../../lib/infra/bundling';

describe('BundleCache', () => {
  let root: string;
  let cache: BundleCache;
  const bundle = { hash: 'h1', files: [{ name: 'a.js', contents: Buffer.from('exports.handler=1') }] };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'skymesh-cache-'));
    writeFileSync(join(root, 'a.ts'), 'export const handler = 1;\n');
    writeFileSync(join(root, 'b.ts'), 'export const b = 2;\n');
    cache = new BundleCache(join(root, '.cache'), root);
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('returns the stored bundle while its inputs and key are unchanged', () => {
    cache.write('group', 'key1', ['a.ts', 'b.ts'], bundle);
    const read = cache.read('group', 'key1');
    expect(read?.hash).toBe('h1');
    expect(Buffer.from(read!.files[0].contents).toString()).toBe('exports.handler=1');
  });

  it('misses when any input changed, disappeared, or the key differs', () => {
    cache.write('group', 'key1', ['a.ts', 'b.ts'], bundle);
    expect(cache.read('group', 'key2')).toBeUndefined();
    writeFileSync(join(root, 'b.ts'), 'export const b = 3;\n');
    expect(cache.read('group', 'key1')).toBeUndefined();
    cache.write('group', 'key1', ['a.ts', 'b.ts'], bundle);
    rmSync(join(root, 'a.ts'));
    expect(cache.read('group', 'key1')).toBeUndefined();
  });

  it('misses when nothing was stored', () => {
    expect(cache.read('other', 'key1')).toBeUndefined();
  });

  it('records every file esbuild read for a bundle', () => {
    // GIVEN an entry that imports a second module
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'dep.ts'), 'export const two = 2;\n');
    writeFileSync(
      join(root, 'src', 'main.ts'),
      "import { two } from './dep';\nexport const handler = async () => two;\n",
    );
    const group: HandlerGroup = { name: 'cached', entries: { main: 'src/main.ts' } };
    // WHEN it is bundled with a cache folder
    bundledCode(new Stack(new App({ outdir: join(root, 'out') }), 'S'), group, {
      projectRoot: root,
      cacheDir: join(root, 'cache'),
    });
    // THEN the record lists both sources, so a change to the imported one invalidates the bundle
    const record = JSON.parse(readFileSync(join(root, 'cache', 'cached.json'), 'utf8')) as { inputs: object };
    expect(Object.keys(record.inputs).sort()).toEqual(['src/dep.ts', 'src/main.ts']);
  });
});

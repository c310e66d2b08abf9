import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputPathError } from '../../lib/report/errors';
import { makeFolder, prepareOutDir, prepareOutFile } from '../../lib/report/out-dir';

describe('prepareOutDir', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sky-out-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates missing folders and leaves nothing behind in them', () => {
    const out = join(root, 'a', 'b', 'c');
    prepareOutDir(out);
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(out)).toEqual([]);
  });

  it('fails when the path is a file, saying so and what to give', () => {
    const file = join(root, 'README.md');
    writeFileSync(file, 'hello');
    expect(() => prepareOutDir(file)).toThrow(OutputPathError);
    expect(() => prepareOutDir(file)).toThrow(`--out ${file}: it is a file, not a folder; give a folder`);
  });

  it('fails when a part of the path is a file', () => {
    writeFileSync(join(root, 'file'), '');
    expect(() => prepareOutDir(join(root, 'file', 'out'))).toThrow(/a part of the path is a file, not a folder/);
  });

  it('fails at once for a folder that cannot be created (/proc/x; Node’s recursive mkdir never returns there)', () => {
    expect(() => prepareOutDir('/proc/x')).toThrow('--out /proc/x: the folder cannot be created there (ENOENT)');
    expect(() => makeFolder('/proc/x/y')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('prepareOutFile: fails for a folder, and for a file whose folder cannot be created', () => {
    expect(() => prepareOutFile(root)).toThrow(`--out ${root}: it is a folder; give a file name such as`);
    expect(() => prepareOutFile('/proc/x/run.json')).toThrow('--out /proc/x/run.json: its folder /proc/x: the folder');
    prepareOutFile(join(root, 'new', 'run.json'));
    expect(existsSync(join(root, 'new'))).toBe(true);
  });

  it('prepareOutFile: names the option when a part of the path is a file', () => {
    const file = join(root, 'a-file.json');
    writeFileSync(file, '{}');
    expect(() => prepareOutFile(join(file, 'run.json'))).toThrow(
      `--out ${join(file, 'run.json')}: a part of the path is a file, not a folder (ENOTDIR)`,
    );
  });
});

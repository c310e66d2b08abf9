import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { tarFolder } from '../../lambda/shared/payload-builder';
import { readTar, TarFormatError, writeTar } from '../../lambda/shared/tar';
import { realTmp } from './helpers/fake-platform';

const file = (path: string) => ({ path, type: 'file' as const, data: Buffer.from(path) });
const dir = (path: string) => ({ path, type: 'dir' as const, data: new Uint8Array(0) });

const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
const longName = `${longDir}/${'f'.repeat(90)}.txt`;

describe('ustar reader and writer', () => {
  it('round-trips files, folders, modes and binary data', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9_.-]{1,40}$/), { minLength: 1, maxLength: 6 }),
        fc.array(fc.uint8Array({ maxLength: 2000 }), { minLength: 6, maxLength: 6 }),
        (names, contents) => {
          const entries = names
            .filter((n) => n !== '.' && n !== '..')
            .map((name, i) => ({ path: `dir/${name}`, type: 'file' as const, data: contents[i]!, mode: 0o600 }));
          const back = readTar(writeTar([{ path: 'dir', type: 'dir', data: new Uint8Array(0) }, ...entries]));
          expect(back[0]).toMatchObject({ path: 'dir', type: 'dir' });
          expect(back.slice(1).map((e) => [e.path, Buffer.from(e.data).toString('hex'), e.mode])).toEqual(
            entries.map((e) => [e.path, Buffer.from(e.data).toString('hex'), 0o600]),
          );
        },
      ),
    );
  });

  it('splits long paths into ustar prefix and name', () => {
    const back = readTar(writeTar([{ path: longName, type: 'file', data: Buffer.from('x') }]));
    expect(back[0]!.path).toBe(longName);
  });

  it('refuses a path it cannot store', () => {
    expect(() => writeTar([{ path: 'x'.repeat(300), type: 'file', data: Buffer.from('') }])).toThrow(TarFormatError);
  });

  it.each([['../escape.txt'], ['/etc/passwd'], ['a/../../b']])('refuses the path %s', (path) => {
    const archive = writeTar([{ path: 'ok.txt', type: 'file', data: Buffer.from('1') }]);
    // Write the hostile name straight into the header and fix the checksum.
    const block = Buffer.from(archive.subarray(0, 512));
    block.fill(0, 0, 100);
    block.write(path, 0, 'utf8');
    block.write('        ', 148, 'latin1');
    let sum = 0;
    for (const b of block) sum += b;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const hostile = Buffer.concat([block, archive.subarray(512)]);
    expect(() => readTar(hostile)).toThrow(/absolute or leaves the folder/);
  });

  it('detects a corrupt header', () => {
    const archive = writeTar([{ path: 'a.txt', type: 'file', data: Buffer.from('hello') }]);
    archive[3] = 0x41;
    expect(() => readTar(archive)).toThrow(/checksum/);
  });

  it('refuses links', () => {
    const archive = writeTar([{ path: 'a', type: 'file', data: Buffer.from('') }]);
    archive[156] = '2'.charCodeAt(0);
    archive.write('        ', 148, 'latin1');
    let sum = 0;
    for (const b of archive.subarray(0, 512)) sum += b;
    archive.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect(() => readTar(archive)).toThrow(/only files and folders/);
  });

  /** An archive whose first header is renamed behind the writer's back (with a fresh checksum). */
  function renamed(entries: Parameters<typeof writeTar>[0], name: string): Buffer {
    const archive = writeTar(entries);
    archive.fill(0, 0, 100);
    archive.write(name, 0, 'utf8');
    archive.write('        ', 148, 'latin1');
    let sum = 0;
    for (const b of archive.subarray(0, 512)) sum += b;
    archive.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    return archive;
  }

  it.each([
    ['a path twice', [file('a.txt'), file('a.txt')], /"a.txt" appears more than once/],
    ['a path twice, spelled differently', [file('d/a.txt'), file('./d//a.txt')], /"d\/a.txt" appears more than once/],
    ['a folder and a file of one name', [dir('d'), file('d')], /"d" appears more than once/],
    [
      'a file used as a folder',
      [file('d'), file('d/a.txt')],
      /"d\/a.txt" lies inside "d", which the archive has as a file/,
    ],
  ])('refuses %s with a clear message', (_name, entries, message) => {
    expect(() => readTar(writeTar(entries))).toThrow(message);
  });

  it("refuses a file named '.' and skips a '.' folder (the unpack folder itself)", () => {
    expect(() => readTar(renamed([file('x')], '.'))).toThrow(/entry path "." names no file/);
    expect(readTar(renamed([dir('x'), file('a.txt')], './')).map((e) => e.path)).toEqual(['a.txt']);
  });

  it('refuses an entry that runs past the end', () => {
    const archive = writeTar([{ path: 'a.txt', type: 'file', data: Buffer.alloc(2000, 1) }]);
    expect(() => readTar(archive.subarray(0, 1024))).toThrow(/past the end/);
  });
});

describe('interoperates with the system tar', () => {
  function sample(): string {
    const folder = realTmp('sky-tar-src-');
    mkdirSync(join(folder, longDir), { recursive: true });
    writeFileSync(join(folder, longName), 'deep');
    writeFileSync(join(folder, 'bin.dat'), Buffer.from([0, 1, 2, 255]));
    return folder;
  }

  it('system tar extracts what we write', () => {
    const folder = sample();
    const out = realTmp('sky-tar-out-');
    const archive = join(realTmp(), 'ours.tar');
    writeFileSync(archive, tarFolder(folder));
    execFileSync('tar', ['-xf', archive, '-C', out]);
    expect(readFileSync(join(out, longName), 'utf8')).toBe('deep');
    expect([...readFileSync(join(out, 'bin.dat'))]).toEqual([0, 1, 2, 255]);
  });

  it.each(['ustar', 'gnu', 'pax'])('we read what system tar writes (--format=%s)', (format) => {
    const folder = sample();
    const archive = join(realTmp(), 'theirs.tar');
    execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', folder, '.']);
    const entries = readTar(readFileSync(archive));
    const files = Object.fromEntries(
      entries.filter((e) => e.type === 'file').map((e) => [e.path, Buffer.from(e.data)]),
    );
    expect(files[longName]?.toString()).toBe('deep');
    expect([...files['bin.dat']!]).toEqual([0, 1, 2, 255]);
  });

  it('we read a long GNU name (over 255 bytes) from a pax or gnu archive', () => {
    const folder = realTmp('sky-tar-long-');
    const deep = `${'a'.repeat(120)}/${'b'.repeat(120)}/${'c'.repeat(100)}.txt`;
    mkdirSync(join(folder, deep, '..'), { recursive: true });
    writeFileSync(join(folder, deep), 'long');
    for (const format of ['gnu', 'pax']) {
      const archive = join(realTmp(), `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', folder, '.']);
      const file = readTar(readFileSync(archive)).find((e) => e.path === deep);
      expect(Buffer.from(file!.data).toString()).toBe('long');
    }
  });
});

/**
 * A small ustar (POSIX.1-1988 "ustar") reader and writer: enough for dynamic-function bundles,
 * which hold regular files and folders only. The reader also understands the two ways other
 * tools store long names (pax `x` headers with `path=`, GNU `L` records) so archives made by
 * GNU or BSD tar unpack too. Links, devices and FIFOs are refused: a bundle is data, not a system image.
 */

const BLOCK = 512;

/** One file or folder of an archive. */
export interface TarEntry {
  /** Relative path with `/` separators; folders end without a slash. */
  readonly path: string;
  readonly type: 'file' | 'dir';
  /** File contents (empty for folders). */
  readonly data: Uint8Array;
  /** Unix permission bits (default 0o644 for files, 0o755 for folders). */
  readonly mode?: number;
}

/** A malformed or unsupported archive; `message` says what and where. */
export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

/** Writes entries as an uncompressed ustar archive (ends with two zero blocks). */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const path = checkPath(entry.path);
    const data = entry.type === 'file' ? entry.data : new Uint8Array(0);
    parts.push(header(entry.type === 'dir' ? `${path}/` : path, entry.type, data.length, entry.mode));
    if (data.length > 0) {
      parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad > 0) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** Reads a ustar (or GNU/pax-flavoured) archive. Throws `TarFormatError` on anything it cannot trust. */
export function readTar(archive: Uint8Array): TarEntry[] {
  const buf = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  if (buf.length % BLOCK !== 0) {
    throw new TarFormatError(`${buf.length} bytes are not whole 512-byte blocks: not a tar archive`);
  }
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= buf.length) {
    const block = buf.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    verifyChecksum(block, offset);
    const size = readOctal(block, 124, 12, offset);
    const typeflag = String.fromCharCode(block[156]!);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > buf.length) throw new TarFormatError(`entry at byte ${offset} claims ${size} bytes past the end`);
    const data = buf.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (typeflag === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (typeflag === 'g') continue;
    if (typeflag === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    const rawName = longName ?? headerName(block);
    longName = undefined;
    const mode = readOctal(block, 100, 8, offset - BLOCK);
    if (typeflag === '5') {
      // The archive's root folder (`.` or `./`) is the unpack folder itself.
      if (/^(\.\/*)+$/.test(rawName)) continue;
      entries.push({ path: checkPath(rawName.replace(/\/+$/, '')), type: 'dir', data: new Uint8Array(0), mode });
    } else if (typeflag === '0' || typeflag === '\0' || typeflag === '7') {
      entries.push({ path: checkPath(rawName), type: 'file', data, mode });
    } else {
      throw new TarFormatError(
        `entry ${JSON.stringify(rawName)} has type '${typeflag}'; only files and folders are allowed`,
      );
    }
  }
  checkUnique(entries);
  return entries;
}

/**
 * Refuses an archive that names a path twice, or uses a file's path as a folder (`a` a file and `a/b`
 * another entry): unpacking either would overwrite or fail half-way.
 */
function checkUnique(entries: readonly TarEntry[]): void {
  const kinds = new Map<string, TarEntry['type']>();
  for (const entry of entries) {
    if (kinds.has(entry.path)) throw new TarFormatError(`entry ${JSON.stringify(entry.path)} appears more than once`);
    kinds.set(entry.path, entry.type);
  }
  for (const entry of entries) {
    const parts = entry.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (kinds.get(parent) === 'file') {
        throw new TarFormatError(
          `entry ${JSON.stringify(entry.path)} lies inside ${JSON.stringify(parent)}, which the archive has as a file`,
        );
      }
    }
  }
}

/** Rejects absolute paths, `..` segments and empty names, so nothing escapes the unpack folder. */
function checkPath(path: string): string {
  if (path.startsWith('/') || path.split('/').some((s) => s === '..') || path.includes('\0')) {
    throw new TarFormatError(`entry path ${JSON.stringify(path)} is absolute or leaves the folder`);
  }
  // `./a//b/./c` is `a/b/c`: one spelling per path, so duplicates are found.
  const clean = path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
  if (clean.length === 0) throw new TarFormatError(`entry path ${JSON.stringify(path)} names no file`);
  return clean;
}

function header(path: string, type: TarEntry['type'], size: number, mode?: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const nameBytes = Buffer.from(path, 'utf8');
  if (nameBytes.length <= 100) {
    nameBytes.copy(block, 0);
  } else {
    // ustar splits long paths at a '/' into prefix (155 bytes) and name (100 bytes).
    const cut = splitPoint(nameBytes);
    if (cut < 0)
      throw new TarFormatError(`path ${JSON.stringify(path)} is too long for ustar (name 100, prefix 155 bytes)`);
    nameBytes.subarray(cut + 1).copy(block, 0);
    nameBytes.subarray(0, cut).copy(block, 345);
  }
  writeOctal(block, 100, 8, mode ?? (type === 'dir' ? 0o755 : 0o644));
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0);
  block.write('        ', 148, 'latin1');
  block.write(type === 'dir' ? '5' : '0', 156, 'latin1');
  block.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function splitPoint(name: Buffer): number {
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] === 0x2f && i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return i;
  }
  return -1;
}

function headerName(block: Buffer): string {
  const name = cString(block, 0, 100);
  const magic = block.toString('latin1', 257, 262);
  const prefix = magic === 'ustar' ? cString(block, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? length : end);
}

function paxPath(data: Buffer): string | undefined {
  // Records are "<len> <key>=<value>\n".
  let path: string | undefined;
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const len = Number(data.toString('latin1', at, space));
    if (!Number.isInteger(len) || len <= 0) break;
    const record = data.toString('utf8', space + 1, at + len - 1);
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    at += len;
  }
  return path;
}

function verifyChecksum(block: Buffer, offset: number): void {
  const stored = readOctal(block, 148, 8, offset);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  if (sum !== stored) throw new TarFormatError(`header at byte ${offset} has checksum ${stored}, computed ${sum}`);
}

function readOctal(block: Buffer, start: number, length: number, offset: number): number {
  const text = block
    .toString('latin1', start, start + length)
    .replace(/[\0 ]+$/g, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text))
    throw new TarFormatError(`header at byte ${offset} has a bad number ${JSON.stringify(text)}`);
  return Number.parseInt(text, 8);
}

function writeOctal(block: Buffer, start: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, '0');
  if (text.length > length - 1) throw new TarFormatError(`value ${value} does not fit a ${length}-byte tar field`);
  block.write(`${text}\0`, start, 'latin1');
}

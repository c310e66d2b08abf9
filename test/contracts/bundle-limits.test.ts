import { gzipSync } from 'node:zlib';
import {
  bundleUnpackLimitBytes,
  declaredBundleBytes,
  MAX_BUNDLE_UNPACKED_BYTES,
  minMemoryMbForBundle,
} from '../../lib/contracts/work-limits';

const MiB = 1024 * 1024;

describe('what a bundle may unpack to', () => {
  it('is an eighth of the function memory, at most 256 MiB, and 256 MiB where the memory is unknown', () => {
    expect(bundleUnpackLimitBytes(128)).toBe(16 * MiB);
    expect(bundleUnpackLimitBytes(1024)).toBe(128 * MiB);
    expect(bundleUnpackLimitBytes(2048)).toBe(MAX_BUNDLE_UNPACKED_BYTES);
    expect(bundleUnpackLimitBytes(10240)).toBe(MAX_BUNDLE_UNPACKED_BYTES);
    expect(bundleUnpackLimitBytes(undefined)).toBe(MAX_BUNDLE_UNPACKED_BYTES);
    expect(bundleUnpackLimitBytes(Number.NaN)).toBe(MAX_BUNDLE_UNPACKED_BYTES);
  });

  it('needs the least memory whose limit holds it', () => {
    expect(minMemoryMbForBundle(16 * MiB)).toBe(128);
    expect(minMemoryMbForBundle(16 * MiB + 1)).toBe(129);
    for (const bytes of [16 * MiB + 1, 40 * MiB, 200 * MiB]) {
      const memoryMb = minMemoryMbForBundle(bytes);
      expect(bundleUnpackLimitBytes(memoryMb)).toBeGreaterThanOrEqual(bytes);
      expect(bundleUnpackLimitBytes(memoryMb - 1)).toBeLessThan(bytes);
    }
  });

  it("reads the size a gzip declares from the base64's last characters, whatever its padding", () => {
    for (const size of [0, 1, 2, 3, 1000, 1001, 1002, 70_000]) {
      const data = gzipSync(Buffer.alloc(size, 7)).toString('base64');
      expect(declaredBundleBytes(data)).toBe(size);
    }
    expect(declaredBundleBytes('aGk=')).toBe(0);
    expect(declaredBundleBytes('not base64 at all!!!')).toBe(0);
  });
});

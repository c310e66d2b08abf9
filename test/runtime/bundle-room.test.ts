import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundleCache } from '../../lambda/dynamic/bundle';
import { buildDynamicRequest } from '../../lambda/shared/payload-builder';
import { realTmp } from './helpers/fake-platform';

/** A bundle of one file of `bytes` bytes (its content names `tag`, so that each bundle is its own). */
function bundleWith(tag: string, bytes: number) {
  const folder = realTmp('sky-room-src-');
  mkdirSync(join(folder, 'lib'));
  writeFileSync(join(folder, 'lib', 'blob.txt'), tag.padEnd(bytes, '.'));
  const request = buildDynamicRequest({ source: 'exports.run = () => 1', folder });
  if (!request.bundle) throw new Error('no bundle built');
  return request.bundle;
}

describe('dynamic function bundles: the room they take', () => {
  it('keeps the unpacked bundles within its budget, removing the least recently used first', () => {
    // GIVEN room for two bundles of 4,000 bytes, not three
    const cache = new BundleCache(realTmp(), { maxBytes: 9_000 });
    const a = cache.open(bundleWith('a', 4_000));
    const b = cache.open(bundleWith('b', 4_000));
    // WHEN `a` is used again, then a third bundle comes
    expect(cache.open(bundleWith('a', 4_000))).toEqual({ dir: a.dir, cached: true });
    const c = cache.open(bundleWith('c', 4_000));
    // THEN the least recently used (`b`) made room, and the others stay
    expect(existsSync(b.dir)).toBe(false);
    expect(existsSync(a.dir)).toBe(true);
    expect(existsSync(c.dir)).toBe(true);
    // and `b` comes back unpacked afresh when asked for again, in place of `a`
    const again = cache.open(bundleWith('b', 4_000));
    expect(again.cached).toBe(false);
    expect(existsSync(again.dir)).toBe(true);
    expect(existsSync(a.dir)).toBe(false);
  });
});

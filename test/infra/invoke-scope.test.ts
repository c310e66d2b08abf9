import { dynamicFunctionPatterns, INVOKE_SCOPE_BUDGET } from '../../lib/infra/invoke-scope';

/** `sky-usw2-az?-arm64-2048` as a regular expression (IAM: `?` one character, `*` any run). */
function iamPattern(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\-]/g, '\\$&')
      .replace(/\?/g, '.')
      .replace(/\*/g, '.*')}$`,
  );
}

describe('dynamicFunctionPatterns', () => {
  const sizes = [128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10240];

  it('names every function exactly when the list fits the policy', () => {
    const patterns = dynamicFunctionPatterns(
      [{ region: 'us-west-2', azIds: ['usw2-az1', 'usw2-az2'] }],
      ['arm64'],
      [128, 2048],
    );
    expect(patterns).toEqual(
      new Map([
        [
          'us-west-2',
          ['sky-usw2-az1-arm64-128', 'sky-usw2-az1-arm64-2048', 'sky-usw2-az2-arm64-128', 'sky-usw2-az2-arm64-2048'],
        ],
      ]),
    );
  });

  it('falls back to patterns that match every mesh function of a large mesh but no other memory size or name', () => {
    // GIVEN 25 regions of 4 zones, 9 memory sizes, 2 architectures: 1,800 functions, far over the budget
    const mesh = Array.from({ length: 25 }, (_, r) => ({
      region: `xx-region-${r}`,
      azIds: [1, 2, 3, 4].map((z) => `xr${r}-az${z}`),
    }));
    const patterns = dynamicFunctionPatterns(mesh, ['x86_64', 'arm64'], sizes);
    const all = [...patterns.values()].flat();
    expect(all.join('').length).toBeLessThan(INVOKE_SCOPE_BUDGET);
    const regex = [...patterns].map(([region, names]) => ({ region, names: names.map(iamPattern) }));
    const allowed = (region: string, name: string) =>
      regex.some((r) => r.region === region && r.names.some((p) => p.test(name)));
    // THEN every function of the mesh is allowed
    for (const { region, azIds } of mesh) {
      for (const azId of azIds) for (const mb of sizes) expect(allowed(region, `sky-${azId}-arm64-${mb}`)).toBe(true);
    }
    // and a qualified name, another region's zone, a router-like name and a sampler are not
    expect(allowed('xx-region-0', 'sky-xr1-az1-arm64-128')).toBe(false);
    expect(allowed('xx-region-0', 'sky-router')).toBe(false);
    expect(allowed('xx-region-0', 'sky-smp-xr0-az1-07')).toBe(false);
  });
});

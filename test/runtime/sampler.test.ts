import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSamplerHandler } from '../../lambda/sampler/load';
import { cpuKeyOf } from '../../lib/core/cpu';
import { greetingOf, MAX_INLINE_SOURCE_BYTES, samplerSource } from '../../lib/sampling/sampler-source';
import { AMD_CPUINFO, FakePlatform, GRAVITON2_CPUINFO, realTmp } from './helpers/fake-platform';

describe('sampler template', () => {
  it('makes variants that differ only in their greeting and header comment', () => {
    const a = samplerSource({ index: 0, azId: 'usw2-az1', sleepMs: 250 }).split('\n');
    const b = samplerSource({ index: 57, azId: 'usw2-az1', sleepMs: 250 }).split('\n');
    expect(a).toHaveLength(b.length);
    const differing = a.map((line, i) => (line === b[i] ? undefined : i)).filter((i) => i !== undefined);
    expect(
      differing.map((i) => a[i!]!.startsWith('// skymesh sampler') || a[i!]!.startsWith('const GREETING')),
    ).toEqual([true, true]);
  });

  it('gives every one of 100 variants in a zone distinct code under the inline limit', () => {
    const sources = Array.from({ length: 100 }, (_, index) => samplerSource({ index, azId: 'euw1-az3', sleepMs: 250 }));
    expect(new Set(sources).size).toBe(100);
    for (const s of sources) expect(Buffer.byteLength(s)).toBeLessThan(MAX_INLINE_SOURCE_BYTES);
  });

  it('requires only fs and crypto', () => {
    const source = samplerSource({ index: 3, azId: 'use1-az4', sleepMs: 10 });
    const required = [...source.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]);
    expect(required.sort()).toEqual(['crypto', 'fs']);
  });

  it.each([
    [{ index: -1, azId: 'usw2-az1', sleepMs: 1 }, 'index'],
    [{ index: 1.5, azId: 'usw2-az1', sleepMs: 1 }, 'index'],
    [{ index: 1, azId: 'us west', sleepMs: 1 }, 'azId'],
    [{ index: 1, azId: "x'; process.exit()", sleepMs: 1 }, 'azId'],
    [{ index: 1, azId: 'usw2-az1', sleepMs: -3 }, 'sleepMs'],
  ])('fails on a bad variant %#', (variant, word) => {
    expect(() => samplerSource(variant)).toThrow(word);
  });
});

describe('sampler run as Lambda runs it (index.js in a child process)', () => {
  it('answers the CPU, a stable instance id, the new flag and the boot time', () => {
    const dir = realTmp('sky-sampler-');
    const scratch = realTmp('sky-scratch-');
    writeFileSync(join(dir, 'index.js'), samplerSource({ index: 4, azId: 'usw2-az2', sleepMs: 20 }));
    const runner = `const m = require(${JSON.stringify(join(dir, 'index.js'))});
      (async () => { const a = await m.handler({}); const b = await m.handler({}); process.stdout.write(JSON.stringify([a, b])); })()
        .catch((e) => { console.error(e); process.exit(1); });`;
    const out = execFileSync(process.execPath, ['-e', runner], {
      env: { PATH: process.env.PATH, SKY_TMP_DIR: scratch, SKY_AZ_ID: 'usw2-az2' },
      encoding: 'utf8',
    });
    const [first, second] = JSON.parse(out);
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
    const btime = Number(/^btime\s+(\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (model) expect(first.cpuModel).toBe(model);
    else expect(first.cpuModel).toMatch(/CPU part/);
    expect(first).toMatchObject({
      newInstance: true,
      bootTime: btime,
      greeting: greetingOf(4, 'usw2-az2'),
      azId: 'usw2-az2',
    });
    expect(first.elapsedMs).toBeGreaterThanOrEqual(19);
    expect(second).toMatchObject({ newInstance: false, instanceId: first.instanceId });
    expect(readFileSync(join(scratch, '.sky-sampler-id'), 'utf8')).toBe(first.instanceId);
  });
});

describe('loadSamplerHandler: the same source on an emulated instance', () => {
  const source = samplerSource({ index: 9, azId: 'sae1-az1', sleepMs: 250 });

  it('reports the emulated CPU and boot time, sleeps on the platform clock, and keeps its marker in the platform', async () => {
    const platform = new FakePlatform({ cpuinfo: AMD_CPUINFO, btime: 1_650_000_000, env: { SKY_AZ_ID: 'sae1-az1' } });
    const handler = loadSamplerHandler(source, platform);
    const first = await handler({});
    expect(first).toEqual({
      cpuModel: 'AMD EPYC',
      instanceId: 'inst-1',
      newInstance: true,
      bootTime: 1_650_000_000,
      greeting: greetingOf(9, 'sae1-az1'),
      elapsedMs: 250,
      azId: 'sae1-az1',
    });
    expect(platform.sleeps).toEqual([250]);
    expect(platform.files.get('/tmp/.sky-sampler-id')).toBe('inst-1');
    // A fresh module on the same instance (platform) sees the marker: not new.
    const again = await loadSamplerHandler(source, platform)({});
    expect(again).toMatchObject({ instanceId: 'inst-1', newInstance: false });
  });

  it.each([-5, 1.5, 1e12, '100'])(
    'refuses a sleepMs of %p in the event, naming it, without sleeping or using up the new instance',
    async (sleepMs) => {
      const platform = new FakePlatform({ cpuinfo: AMD_CPUINFO, btime: 1_650_000_000 });
      await expect(loadSamplerHandler(source, platform)({ sleepMs })).rejects.toThrow(
        /^sleepMs is .*; allowed: a whole number of ms from 0 to 25000$/,
      );
      expect(platform.sleeps).toEqual([]);
      expect(await loadSamplerHandler(source, platform)({})).toMatchObject({ newInstance: true });
    },
  );

  it('sleeps the sleepMs the event gives', async () => {
    const platform = new FakePlatform({ cpuinfo: AMD_CPUINFO, btime: 1_650_000_000 });
    await loadSamplerHandler(source, platform)({ sleepMs: 120 });
    expect(platform.sleeps).toEqual([120]);
  });

  it('maps /tmp to the platform scratch folder and reads arm CPUs by part number', async () => {
    const platform = new FakePlatform({ cpuinfo: GRAVITON2_CPUINFO, tmpDir: '/scratch/i7' });
    const answer = await loadSamplerHandler(source, platform, { randomUUID: () => 'fixed' })({ sleepMs: 5 });
    expect(cpuKeyOf(answer.cpuModel)).toBe('graviton2');
    expect(answer.instanceId).toBe('fixed');
    expect(platform.files.get('/scratch/i7/.sky-sampler-id')).toBe('fixed');
    expect(platform.sleeps).toEqual([5]);
  });

  it('refuses a source that requires anything else', () => {
    expect(() =>
      loadSamplerHandler("require('child_process'); exports.handler = async () => ({})", new FakePlatform()),
    ).toThrow(/only require fs and crypto/);
  });
});

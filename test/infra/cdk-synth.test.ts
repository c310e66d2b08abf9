import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** `npx cdk synth` as a user types it, in a child process with no AWS settings, no credentials and an empty HOME. */
function cdkSynth(args: string[], outdir: string): { status: number | null; output: string } {
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outdir, ...args], {
    cwd: ROOT,
    // With HOME empty, npm would put its cache in a folder literally named `~` in the working tree.
    env: { PATH: process.env.PATH, HOME: '', npm_config_cache: `${outdir}-npm-cache` },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('npx cdk synth', () => {
  let outdir: string;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'skymesh-synth-'));
  });

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(`${outdir}-npm-cache`, { recursive: true, force: true });
  });

  it('synthesizes a two-region mesh offline, with no AWS environment and an empty HOME', () => {
    // WHEN the default config is narrowed to two regions on the command line
    const { status, output } = cdkSynth(['-c', 'skymesh.regions=us-west-1,sa-east-1'], outdir);
    // THEN it succeeds with one mesh stack per region, one sampler stack per zone and the control stack
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('Successfully synthesized') });
    // AND it said first what it was about to produce: 8 stacks, 5 zones × (18 dynamic + 2 × 100 samplers + 2) + the router
    expect(output).toContain('skymesh: synthesizing 8 stacks with 1,101 Lambda functions (2 regions, 5 zones;');
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<
        string,
        { type: string; environment?: string; properties?: { templateFile?: string; stackName?: string } }
      >;
    };
    const stacks = new Map(
      Object.values(manifest.artifacts)
        .filter((a) => a.type === 'aws:cloudformation:stack')
        .map((a) => [a.properties?.stackName ?? '', a]),
    );
    expect([...stacks.keys()].sort()).toEqual(
      [
        'Sky-Control',
        'Sky-Mesh-sa-east-1',
        'Sky-Mesh-us-west-1',
        'Sky-Samplers-sae1-az1',
        'Sky-Samplers-sae1-az2',
        'Sky-Samplers-sae1-az3',
        'Sky-Samplers-usw1-az1',
        'Sky-Samplers-usw1-az3',
      ].sort(),
    );
    expect(stacks.get('Sky-Mesh-sa-east-1')!.environment).toBe('aws://unknown-account/sa-east-1');
    expect(stacks.get('Sky-Control')!.environment).toBe('aws://unknown-account/us-west-2');
    const templateFile = stacks.get('Sky-Samplers-usw1-az1')!.properties!.templateFile!;
    const samplers = JSON.parse(readFileSync(join(outdir, templateFile), 'utf8'));
    const functions = Object.values(samplers.Resources as Record<string, { Type: string }>).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    // 100 samplers (the cdk.json default) of each of the 2 sampled architectures, the fan-out and the sampling steps
    expect(functions).toHaveLength(202);
  });

  it('stops with the config error, exit code 1 and no stack trace, when a value is bad', () => {
    const { status, output } = cdkSynth(['-c', 'skymesh.samplersPerZone=0'], outdir);
    expect(status).not.toBe(0);
    expect(output).toMatch(/skymesh: invalid skymesh config .*\n.*skymesh\.samplersPerZone is "0"/);
    expect(output).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
  });

  it('refuses one of our keys given without the skymesh. prefix, naming the fix, before synthesizing', () => {
    const { status, output } = cdkSynth(['-c', 'regions=us-west-1'], outdir);
    expect(status).not.toBe(0);
    expect(output).toContain('context key regions is "us-west-1"');
    expect(output).toContain('-c skymesh.regions=us-west-1');
    expect(output).not.toContain('synthesizing');
  });

  it('stops with the limit error before building anything when a stack would pass 500 resources', () => {
    const { status, output } = cdkSynth(
      [
        '-c',
        'skymesh.regions=us-west-1',
        '-c',
        'skymesh.samplersPerZone=480',
        '-c',
        'skymesh.samplerMemoryMb=1024',
        '-c',
        'skymesh.sampledArchitectures=x86_64',
      ],
      outdir,
    );
    expect(status).not.toBe(0);
    expect(output).toMatch(/skymesh: Sky-Samplers-usw1-az\d would have 510 resources; the limit is 500\./);
    expect(output).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
  });
});

import { archOfCpu, cpuKeyOf } from '../../lib/core/cpu';
import {
  dynamicFunctionName,
  fanoutFunctionName,
  LAMBDA_NAME_LIMIT,
  parseFunctionName,
  samplerFunctionName,
  samplingStepsFunctionName,
} from '../../lib/core/naming';

describe('cpuKeyOf', () => {
  it.each([
    ['Intel(R) Xeon(R) Processor @ 2.50GHz', 'intel-xeon-2.50'],
    ['Intel(R) Xeon(R) Processor @ 3.00GHz', 'intel-xeon-3.00'],
    ['Intel(R) Xeon(R) Processor @ 2.9GHz', 'intel-xeon-2.90'],
    ['AMD EPYC', 'amd-epyc'],
    ['AMD EPYC 7R13 Processor', 'amd-epyc-7r13'],
    ['processor : 0\nBogoMIPS : 243.75\nCPU part : 0xd0c\n', 'graviton2'],
    ['CPU part\t: 0xd40', 'graviton3'],
    ['CPU part : 0xabc', 'arm-0xabc'],
    ['Some Other(TM) CPU', 'some-other-cpu'],
    ['   ', 'unknown'],
  ])('keys %j as %s', (model, key) => {
    expect(cpuKeyOf(model)).toBe(key);
  });

  it.each([
    ['graviton2', 'arm64'],
    ['arm-0xabc', 'arm64'],
    ['intel-xeon-2.50', 'x86_64'],
    ['amd-epyc', 'x86_64'],
  ] as const)('%s runs %s', (cpu, arch) => {
    expect(archOfCpu(cpu)).toBe(arch);
  });
});

describe('function names', () => {
  it.each([
    [
      dynamicFunctionName('usw1-az1', 'arm64', 2048),
      { kind: 'dynamic', azId: 'usw1-az1', arch: 'arm64', memoryMb: 2048 },
    ],
    [samplerFunctionName('cac1-az4', 7), { kind: 'sampler', azId: 'cac1-az4', arch: 'x86_64', index: 7 }],
    [samplerFunctionName('cac1-az4', 120, 150), { kind: 'sampler', azId: 'cac1-az4', arch: 'x86_64', index: 120 }],
    [samplerFunctionName('usw2-az1', 7, 100, 'arm64'), { kind: 'sampler', azId: 'usw2-az1', arch: 'arm64', index: 7 }],
    [fanoutFunctionName('apse2-az3'), { kind: 'fanout', azId: 'apse2-az3' }],
    [samplingStepsFunctionName('euc1-az2'), { kind: 'steps', azId: 'euc1-az2' }],
    ['sky-router', { kind: 'router' }],
    [
      'arn:aws:lambda:us-west-1:123456789012:function:sky-usw1-az3-x86_64-128:live',
      { kind: 'dynamic', azId: 'usw1-az3', arch: 'x86_64', memoryMb: 128 },
    ],
  ])('parses %s', (name, parsed) => {
    expect(parseFunctionName(name)).toEqual(parsed);
  });

  it.each([['sky-usw1-az1-sparc-128'], ['other-function'], ['sky-smp-usw1-az1-7']])('does not parse %s', (name) => {
    expect(parseFunctionName(name)).toBeUndefined();
  });

  it('keeps every name within the Lambda limit', () => {
    expect(dynamicFunctionName('apse2-az3', 'x86_64', 10240).length).toBeLessThan(LAMBDA_NAME_LIMIT);
    expect(samplerFunctionName('sky1-az9', 7)).toBe('sky-smp-sky1-az9-07');
  });
});

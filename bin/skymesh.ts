#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, skyConfigFromApp } from '../lib/config';
import { InfraError } from '../lib/infra/errors';
import { SKY_APP_PROPS } from '../lib/infra/sky-app-props';
import { SkyMesh } from '../lib/infra/sky-mesh';

/**
 * The skymesh CDK app: `cdk.json` context `skymesh` (overridden per key with `-c skymesh.<key>=...`)
 * -> the {@link SkyMesh} construct: one mesh stack per region, one sampler stack per zone, the control
 * stack in the home region.
 *
 * Built for synthesizing a global mesh quickly (see {@link SKY_APP_PROPS}). A bad config or a configuration
 * beyond a CloudFormation limit prints its message and exits 1, before any stack is built. What is about to be
 * produced is printed first (on stderr, which `cdk synth` shows), so an unintended global mesh is seen before it is
 * waited for.
 */
const app = new App(SKY_APP_PROPS);

try {
  const config = skyConfigFromApp(app);
  const mesh = new SkyMesh(app, 'Sky', { ...config, account: process.env.CDK_DEFAULT_ACCOUNT });
  const { regions, zones, externalZones, stacks, functions } = mesh.size;
  const n = (count: number, what: string): string =>
    `${count.toLocaleString('en-US')} ${what}${count === 1 ? '' : 's'}`;
  console.error(
    `skymesh: synthesizing ${n(stacks, 'stack')} with ${n(functions, 'Lambda function')} ` +
      `(${n(regions, 'region')}, ${n(zones, 'zone')}` +
      `${externalZones > 0 ? `, ${n(externalZones, 'zone')} on other providers sampled from the home region` : ''}` +
      '; narrow with -c skymesh.regions=... or -c skymesh.zones=...)',
  );
  app.synth();
} catch (error) {
  if (error instanceof ConfigError || error instanceof InfraError) {
    console.error(`skymesh: ${error.message}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}

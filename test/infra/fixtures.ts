import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { SKY_APP_PROPS } from '../../lib/infra/sky-app-props';
import type { SkyMeshProps } from '../../lib/infra/sky-mesh';

/** A two-region mesh, small enough to synthesize in a test, with the paper's memory sizes and both architectures. */
export function twoRegionProps(overrides: SkyMeshProps = {}): SkyMeshProps {
  return {
    regions: ['us-west-1', 'sa-east-1'],
    homeRegion: 'us-west-2',
    memorySizes: [128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10240],
    architectures: ['x86_64', 'arm64'],
    samplersPerZone: 4,
    samplerMemoryMb: 10140,
    samplerSleepMs: 250,
    tableName: 'skymesh',
    holdMs: 150,
    logRetentionDays: 14,
    ...overrides,
  };
}

/** An app as `bin/skymesh.ts` makes it: no stack traces, no built-in template validation (one test turns it on). */
export function testApp(): App {
  return new App(SKY_APP_PROPS);
}

/** A synthesized CloudFormation value, loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON is checked by the assertions themselves
export type Json = any;

/** Resources of a template by type. */
export function resourcesOf(template: Template, type: string): Array<{ id: string; properties: Record<string, Json> }> {
  return Object.entries(template.findResources(type)).map(([id, resource]) => ({
    id,
    properties: (resource as { Properties: Record<string, Json> }).Properties,
  }));
}

/** The statements of an IAM role's inline policies, by Sid. */
export function inlineStatements(template: Template, roleLogicalIdPrefix: string): Map<string, Record<string, Json>> {
  const roles = resourcesOf(template, 'AWS::IAM::Role').filter((r) => r.id.startsWith(roleLogicalIdPrefix));
  if (roles.length !== 1) throw new Error(`expected one role ${roleLogicalIdPrefix}*, found ${roles.map((r) => r.id)}`);
  const statements = new Map<string, Record<string, Json>>();
  for (const policy of roles[0].properties.Policies ?? []) {
    for (const statement of policy.PolicyDocument.Statement) statements.set(statement.Sid, statement);
  }
  return statements;
}

import type { AppProps } from 'aws-cdk-lib';

/**
 * How the skymesh CDK app is built, by `bin/skymesh.ts` and by the local sky's in-process synth: no construct
 * stack traces, no tree.json, no analytics resource, and no built-in template validation. A global mesh is ~140
 * stacks and ~23,000 functions, and these cost time on every synth; the tests run the validation on a two-region
 * mesh instead (in the local sky's synth it took 5 of 7 s).
 */
export const SKY_APP_PROPS: AppProps = {
  stackTraces: false,
  treeMetadata: false,
  analyticsReporting: false,
  builtinCloudFormationValidation: false,
  context: { 'aws:cdk:disable-creation-stack-traces': true },
};

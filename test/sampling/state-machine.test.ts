import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { lambdaPrice } from '../../lib/catalog/prices';
import {
  LAMBDA_NOT_STARTED_ERRORS,
  LAMBDA_SERVICE_ERRORS,
  POLL_RETRIES,
  SamplingStateMachine,
} from '../../lib/infra/sampling-state-machine';
import { stateMachineDefinitions } from '../../lib/infra/state-machine-definition';

type AslState = {
  Type: string;
  Next?: string;
  Retry?: Array<{ ErrorEquals: string[]; MaxAttempts: number; BackoffRate: number }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath: string }>;
  Parameters?: Record<string, unknown>;
  Resource?: string;
};

describe('SamplingStateMachine', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'sky-sm-'));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  function zoneStack(props: Partial<ConstructorParameters<typeof SamplingStateMachine>[2]> = {}): Stack {
    const app = new App({ outdir, stackTraces: false });
    const stack = new Stack(app, 'Zone', { env: { region: 'us-west-1', account: '123456789012' } });
    const fn = (name: string) =>
      new lambda.Function(stack, name, {
        functionName: name,
        code: lambda.Code.fromInline('exports.handler = async () => ({})'),
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_22_X,
      });
    new SamplingStateMachine(stack, 'Sampling', {
      azId: 'usw1-az3',
      fanoutFunction: fn('sky-fan-usw1-az3'),
      stepsFunction: fn('sky-steps-usw1-az3'),
      ...props,
    });
    return stack;
  }

  function definitionOf(stack: Stack): { States: Record<string, AslState>; StartAt: string } {
    const defs = stateMachineDefinitions(Template.fromStack(stack).toJSON(), { region: 'us-west-1' });
    return defs['sky-sampling-usw1-az3'] as unknown as { States: Record<string, AslState>; StartAt: string };
  }

  it('names the machine by zone, logs ALL and traces', () => {
    // GIVEN / WHEN
    const template = Template.fromStack(zoneStack());
    // THEN
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'sky-sampling-usw1-az3',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });

  it('retries Lambda service errors with backoff on every task and catches everything into MarkFailed', () => {
    const { States } = definitionOf(zoneStack());
    const tasks = Object.entries(States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(['Decide', 'Finalize', 'MarkFailed', 'Poll', 'Record', 'Start']);
    for (const [name, state] of tasks) {
      // The Poll retries only a refused fan-out call: any other failure may follow a burst that ran.
      expect(state.Retry?.[0].ErrorEquals).toEqual(
        name === 'Poll' ? [...LAMBDA_NOT_STARTED_ERRORS] : [...LAMBDA_SERVICE_ERRORS],
      );
      if (name === 'Poll') expect(state.Retry?.[0].MaxAttempts).toBe(POLL_RETRIES);
      expect(state.Retry?.[0].BackoffRate).toBe(2);
      expect(state.Catch).toEqual([
        {
          ErrorEquals: ['States.ALL'],
          Next: name === 'MarkFailed' ? 'Failed' : 'MarkFailed',
          ResultPath: name === 'MarkFailed' ? '$.failureOfMarkFailed' : '$.error',
        },
      ]);
    }
    expect(States.MarkFailed.Next).toBe('Failed');
    expect(States.Failed.Type).toBe('Fail');
    // Only the fan-out sends a burst; everything else goes to the steps function.
    expect(States.Poll.Resource).toBe('arn:aws:lambda:us-west-1:123456789012:function:sky-fan-usw1-az3');
    expect(States.Poll.Retry?.[0].MaxAttempts).toBeLessThan(States.Record.Retry?.[0].MaxAttempts ?? 0);
  });

  it('bakes the settings into the definition, so a schedule needs no input', () => {
    const { States } = definitionOf(
      zoneStack({ pollConcurrency: 500, fanoutBranching: 8, accuracyTarget: 0.9, zoneIndex: 2, samplersPerZone: 7 }),
    );
    expect(States.Poll.Parameters).toEqual({ 'targets.$': '$.run.targets', count: 500, branching: 8 });
    const configure = States.Configure.Parameters as { settings: Record<string, unknown> };
    expect(configure.settings).toMatchObject({ pollConcurrency: 500, accuracyTarget: 0.9, samplersPerZone: 7 });
    // The cost estimate uses the zone's regional price.
    expect(configure.settings.pricePerGbSecond).toBe(lambdaPrice('us-west-1', 'x86_64').perGbSecond);
    expect(States.Start.Parameters).toMatchObject({ step: 'start', staggerSeconds: 1200 });
  });

  it('schedules every sampleEvery / 2 hours when adaptive, every sampleEvery hours when not', () => {
    const adaptive = Template.fromStack(zoneStack());
    adaptive.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(11 hours)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({ Input: '{}', Arn: { Ref: Match.stringLikeRegexp('^Sampling') } }),
    });
    const fixed = Template.fromStack(zoneStack({ adaptiveSchedule: false, sampleEveryHours: 20 }));
    fixed.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(20 hours)' });
    Template.fromStack(zoneStack({ schedule: false })).resourceCountIs('AWS::Scheduler::Schedule', 0);
  });

  it('lets the scheduler role start only this state machine', () => {
    const template = Template.fromStack(zoneStack());
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SchedulerRoleForTarget') }] },
    });
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties
          .PolicyDocument.Statement,
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Action: 'states:StartExecution', Effect: 'Allow' });
    expect((statements[0].Resource as { Ref: string }).Ref).toMatch(/^Sampling/);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: Match.absent(),
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      }),
    });
  });

  it.each([
    [{ pollConcurrency: 0 }, /pollConcurrency is 0; allowed: an integer from 1 to 5000/],
    [{ pollConcurrency: 8000 }, /pollConcurrency is 8000; allowed: .*256 KB execution state/],
    [{ accuracyTarget: 1 }, /accuracyTarget is 1; allowed: a number greater than 0 and less than 1/],
    [{ fanoutBranching: 1 }, /fanoutBranching is 1/],
    [{ sampleEveryHours: 0.5 }, /sampleEveryHours is 0.5; allowed: a number of hours from 1 to 720/],
    [{ zoneIndex: -1 }, /zoneIndex is -1/],
  ])('fails when %j', (props, message) => {
    expect(() => zoneStack(props)).toThrow(message);
  });
});
